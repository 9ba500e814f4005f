import { openIngestContext } from '@rollcall/intake';
import { createFeedWorkers, type FeedBatchOutcome } from '@rollcall/store';
import { watchStalled } from '@rollcall/ops';

import type { GracefulShutdown, ServiceContext, ServiceRole } from '@rollcall/runtime';
import type { Worker } from 'bullmq';
import { keepWorkerHeapNearItsLiveData } from './worker-heap.ts';

export interface FeedWorkerService {
  readonly workers: readonly Worker[];
}

/**
 * Starts one worker per feed queue. Shutdown closes them first: each stops fetching, finishes
 * its in-flight jobs (each job is one transaction, so "finish" is short) within the shutdown
 * bound, and a job still running when the process dies is not acknowledged, so BullMQ hands it
 * to another worker as stalled: nothing lost, and its events are duplicates, not doubles.
 */
export async function startFeedWorkers(
  context: ServiceContext,
  shutdown: GracefulShutdown,
  options: {
    readonly onBatch?: (feed: string, outcome: FeedBatchOutcome, seconds: number) => void;
    readonly observeWorker?: (worker: Worker) => void;
  } = {},
): Promise<FeedWorkerService> {
  keepWorkerHeapNearItsLiveData();
  const ingestContext = await openIngestContext(context);
  const connection = context.workerConnection('rollcall-feed-workers');
  const workers = createFeedWorkers({
    db: context.db,
    connection,
    prefix: context.config.queuePrefix,
    context: ingestContext,
    concurrency: context.config.workerConcurrency,
    lockDurationMs: context.config.workerLockSeconds * 1_000,
    log: context.log,
    ...(options.onBatch && { onBatch: options.onBatch }),
  });
  const unwatch = workers.map((worker) => watchStalled(worker, context.stalled(), context.log));
  const unobserve = workers.map((worker) => context.metrics().observeWorker(worker));
  for (const worker of workers) options.observeWorker?.(worker);
  shutdown.add({
    name: 'feed workers',
    run: async () => {
      for (const stop of [...unwatch, ...unobserve]) stop();
      await Promise.all(workers.map((worker) => worker.close()));
    },
  });
  context.log.info(
    {
      queues: workers.map((worker) => worker.name),
      concurrency: context.config.workerConcurrency,
      forces: ingestContext.knownForces.size,
    },
    'feed workers started',
  );
  return { workers };
}

/** The feed workers role: one BullMQ worker per feed queue. */
export const feedWorkersRole: ServiceRole = {
  name: 'workers',
  start: async (context, shutdown) => void (await startFeedWorkers(context, shutdown)),
};
