import { retryFailedJobs } from '@rollcall/ops';
import { ALL_QUEUE_NAMES } from '@rollcall/queue';
import { commandSetup, withServiceContext } from '../cli-context.ts';
import { type CommandIo, parseOptions, positiveInteger, requireOne, writeLine } from '../command-line.ts';

/**
 * `rollcall retry-failed --queue <name> [--limit n]`: re-queues jobs that exhausted their
 * retries (after the cause, say a database outage, is fixed). Events that failed validation never
 * get here: they are rejected events, not failed jobs.
 */
export async function retryFailedCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseOptions(args, { queue: { type: 'string' }, limit: { type: 'string' } }, 'retry-failed');
  const queueName = requireOne(values.queue, ALL_QUEUE_NAMES, '--queue');
  const limit = positiveInteger(values.limit, '--limit');
  const { config, log } = commandSetup(io, 'retry-failed');
  const result = await withServiceContext(config, log, (context) =>
    retryFailedJobs(context.queues.queue(queueName), limit === undefined ? {} : { limit }),
  );
  writeLine(
    io.stdout,
    `${queueName}: re-queued ${result.retried} failed job(s)${result.jobIds.length > 0 ? ` (${result.jobIds.join(', ')})` : ''}`,
  );
  for (const skipped of result.skipped) writeLine(io.stdout, `  skipped ${skipped.jobId}: ${skipped.reason}`);
  return 0;
}
