import type { ServiceContext } from '@rollcall/runtime';
import type { Logger } from '@rollcall/logger';
import { FEED_QUEUE_NAMES, outstandingJobs, waitForQueuesDrained } from '@rollcall/queue';
import { commandSetup, withServiceContext } from '../cli-context.ts';
import { CommandFailed, type CommandIo, parseOptions, positiveInteger, writeLine } from '../command-line.ts';
import { createProgressReporter } from '../progress-reporter.ts';

/** Waits for every feed queue to empty, with progress; false on timeout. */
export async function drainFeedQueues(context: ServiceContext, io: CommandIo, log: Logger, timeoutSeconds: number) {
  let initial = 0;
  for (const name of FEED_QUEUE_NAMES) initial += await outstandingJobs(context.queues.queue(name));
  const progress = createProgressReporter(io, log, { label: 'drain feed queues', total: initial, unit: 'jobs' });
  try {
    return await waitForQueuesDrained(context.queues, FEED_QUEUE_NAMES, {
      timeoutMs: timeoutSeconds * 1_000,
      onProgress: (outstanding) => {
        const left = Object.values(outstanding).reduce((sum, n) => sum + n, 0);
        progress.update(Math.max(0, initial - left), { outstanding: left });
      },
    });
  } finally {
    progress.stop();
  }
}

export async function drainCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseOptions(args, { timeout: { type: 'string', default: '600' } }, 'drain');
  const timeoutSeconds = positiveInteger(values.timeout, '--timeout')!;
  const { config, log } = commandSetup(io, 'drain');
  const result = await withServiceContext(config, log, (context) => drainFeedQueues(context, io, log, timeoutSeconds));
  if (!result.drained) {
    const left = Object.entries(result.outstanding).filter(([, n]) => n > 0).map(([queue, n]) => `${queue} ${n}`);
    throw new CommandFailed(`not drained after ${timeoutSeconds} s: ${left.join(', ')} job(s) outstanding (are workers running? rollcall start --role workers)`);
  }
  writeLine(io.stdout, `feed queues drained in ${(result.waitedMs / 1000).toFixed(1)} s`);
  return 0;
}
