import type { Queue } from 'bullmq';
import type { QueueFactory } from './queue-factory.ts';

/** Jobs still to be done on a queue: waiting, active, delayed, prioritized and waiting for children. */
export async function outstandingJobs(queue: Queue): Promise<number> {
  const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

export interface DrainResult {
  readonly drained: boolean;
  readonly outstanding: Readonly<Record<string, number>>;
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
  options: { timeoutMs: number; onProgress?: (outstanding: Record<string, number>) => void },
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
      for (const name of queueNames) outstanding[name] = await outstandingJobs(factory.queue(name));
      const total = Object.values(outstanding).reduce((sum, n) => sum + n, 0);
      options.onProgress?.(outstanding);
      if (total === 0) return { drained: true, outstanding, waitedMs: Date.now() - started };
      const remaining = options.timeoutMs - (Date.now() - started);
      if (remaining <= 0) return { drained: false, outstanding, waitedMs: Date.now() - started };
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
