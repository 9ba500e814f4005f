import type { Queue } from 'bullmq';
import type { QueueFactory } from './queue-factory.ts';

/** The states of a job still to be done, in the order they are reported. */
export const OUTSTANDING_STATES = ['active', 'waiting', 'prioritized', 'delayed', 'waiting-children'] as const;
export type OutstandingState = (typeof OUTSTANDING_STATES)[number];
export type OutstandingCounts = Readonly<Record<OutstandingState, number>>;

/** A queue's jobs still to be done, by state. */
export async function outstandingJobsByState(queue: Queue): Promise<OutstandingCounts> {
  const counts = await queue.getJobCounts(...OUTSTANDING_STATES);
  return Object.fromEntries(OUTSTANDING_STATES.map((state) => [state, counts[state] ?? 0])) as Record<
    OutstandingState,
    number
  >;
}

/** Jobs still to be done on a queue: waiting, active, delayed, prioritized and waiting for children. */
export async function outstandingJobs(queue: Queue): Promise<number> {
  return Object.values(await outstandingJobsByState(queue)).reduce((sum, n) => sum + n, 0);
}

/**
 * What is still to be done, for a person: `feed.call-handling: 1 delayed; feed.dvpo: 1 active,
 * 2 waiting`, queues in name order, states with none left out; '' when nothing is outstanding.
 */
export function describeOutstanding(byQueue: Readonly<Record<string, OutstandingCounts>>): string {
  return Object.keys(byQueue)
    .sort()
    .flatMap((queue) => {
      const counts = byQueue[queue];
      const states = OUTSTANDING_STATES.filter((state) => (counts?.[state] ?? 0) > 0).map(
        (state) => `${counts?.[state]} ${state}`,
      );
      return states.length > 0 ? [`${queue}: ${states.join(', ')}`] : [];
    })
    .join('; ');
}

export interface DrainResult {
  readonly drained: boolean;
  readonly outstanding: Readonly<Record<string, number>>;
  /** The same, by state: what a drain that timed out was waiting for. */
  readonly outstandingByState: Readonly<Record<string, OutstandingCounts>>;
  readonly waitedMs: number;
}

/**
 * Waits until every named queue has no outstanding job. It rechecks the counts whenever a job on
 * one of them completes or fails (QueueEvents), and once a second in case an event is missed
 * while a listener connects, so it returns promptly without busy polling.
 */
export async function waitForQueuesDrained(
  factory: QueueFactory,
  queueNames: readonly string[],
  options: {
    timeoutMs: number;
    onProgress?: (outstanding: Record<string, number>, byState: Record<string, OutstandingCounts>) => void;
  },
): Promise<DrainResult> {
  const started = Date.now();
  const listeners = queueNames.map((name) => factory.events(name));
  let wake: (() => void) | undefined;
  for (const { events } of listeners) {
    for (const name of ['completed', 'failed', 'drained'] as const) events.on(name, () => wake?.());
  }
  try {
    await Promise.all(listeners.map(({ events }) => events.waitUntilReady()));
    for (;;) {
      const outstanding: Record<string, number> = {};
      const byState: Record<string, OutstandingCounts> = {};
      for (const name of queueNames) {
        byState[name] = await outstandingJobsByState(factory.queue(name));
        outstanding[name] = Object.values(byState[name]).reduce((sum, n) => sum + n, 0);
      }
      const total = Object.values(outstanding).reduce((sum, n) => sum + n, 0);
      options.onProgress?.(outstanding, byState);
      if (total === 0)
        return { drained: true, outstanding, outstandingByState: byState, waitedMs: Date.now() - started };
      const remaining = options.timeoutMs - (Date.now() - started);
      if (remaining <= 0)
        return { drained: false, outstanding, outstandingByState: byState, waitedMs: Date.now() - started };
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(1_000, remaining));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = undefined;
    }
  } finally {
    await Promise.allSettled(listeners.map((listener) => listener.close()));
  }
}
