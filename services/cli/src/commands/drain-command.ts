import type { ServiceContext } from '@rollcall/runtime';
import type { Logger } from '@rollcall/logger';
import {
  describeOutstanding,
  FEED_QUEUE_NAMES,
  type OutstandingCounts,
  outstandingJobs,
  waitForQueuesDrained,
} from '@rollcall/queue';
import { commandSetup, withServiceContext } from '../cli-context.ts';
import { CommandFailed, type CommandIo, parseOptions, positiveInteger, writeLine } from '../command-line.ts';
import { createProgressReporter } from '../progress-reporter.ts';

/** Off a terminal, what drain waits for is said again after this long even when it has not changed. */
export const WAITING_FOR_REPEAT_MS = 30_000;
/** ... and no more often than this when it changes. */
export const WAITING_FOR_MIN_INTERVAL_MS = 5_000;
/** How long drain waits without `--timeout`. */
const DEFAULT_TIMEOUT_SECONDS = 600;

/**
 * Says what drain waits for (`waiting for feed.dvpo: 1 active, 2 waiting`), so a drain that does
 * not end shows why: a job active for ever, delayed for an hour, or waiting with no worker. On a
 * terminal it is the progress bar's detail; otherwise a line on stderr, at once, then when it
 * changes (at most every 5 s) and every 30 s while it does not.
 */
function waitingForReporter(io: CommandIo): (byState: Record<string, OutstandingCounts>) => string {
  let lastLine = '';
  let lastAt = Number.NEGATIVE_INFINITY;
  return (byState) => {
    const description = describeOutstanding(byState);
    if (io.stderr.isTTY || description === '') return description;
    const line = `rollcall drain: waiting for ${description}`;
    const since = Date.now() - lastAt;
    if ((line !== lastLine && since >= WAITING_FOR_MIN_INTERVAL_MS) || since >= WAITING_FOR_REPEAT_MS) {
      writeLine(io.stderr, line);
      lastLine = line;
      lastAt = Date.now();
    }
    return description;
  };
}

/**
 * Waits for every feed queue to empty, with progress; false on timeout. `sayWaitingFor` also
 * says which jobs it waits for, in which state (`rollcall drain`; the demo has its own output).
 */
export async function drainFeedQueues(
  context: ServiceContext,
  io: CommandIo,
  log: Logger,
  timeoutSeconds: number,
  options: { sayWaitingFor?: boolean } = {},
) {
  let initial = 0;
  for (const name of FEED_QUEUE_NAMES) initial += await outstandingJobs(context.queues.queue(name));
  const progress = createProgressReporter(io, log, { label: 'drain feed queues', total: initial, unit: 'jobs' });
  const waitingFor = options.sayWaitingFor ? waitingForReporter(io) : undefined;
  try {
    return await waitForQueuesDrained(context.queues, FEED_QUEUE_NAMES, {
      timeoutMs: timeoutSeconds * 1_000,
      onProgress: (outstanding, byState) => {
        const left = Object.values(outstanding).reduce((sum, n) => sum + n, 0);
        const description = waitingFor?.(byState);
        progress.update(
          Math.max(0, initial - left),
          description ? { 'waiting for': description } : { outstanding: left },
        );
      },
    });
  } finally {
    progress.stop();
  }
}

export async function drainCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseOptions(
    args,
    { timeout: { type: 'string', default: String(DEFAULT_TIMEOUT_SECONDS) } },
    'drain',
  );
  const timeoutSeconds = positiveInteger(values.timeout, '--timeout') ?? DEFAULT_TIMEOUT_SECONDS;
  const { config, log } = commandSetup(io, 'drain');
  const result = await withServiceContext(config, log, (context) =>
    drainFeedQueues(context, io, log, timeoutSeconds, { sayWaitingFor: true }),
  );
  if (!result.drained) {
    throw new CommandFailed(
      `not drained after ${timeoutSeconds} s: ${describeOutstanding(result.outstandingByState)} (are workers running? rollcall start --role workers)`,
    );
  }
  writeLine(io.stdout, `feed queues drained in ${(result.waitedMs / 1000).toFixed(1)} s`);
  return 0;
}
