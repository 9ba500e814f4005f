import type { DbOrTransaction } from '@rollcall/db';
import { FEEDS } from '@rollcall/events';
import type { Logger } from '@rollcall/logger';
import type { Job, Queue, Worker } from 'bullmq';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { readOldestWaitingAge } from './oldest-waiting-age.ts';
import { withinTime } from './within-time.ts';
import { COUNTED_STATES } from './queue-health.ts';

export const EVENT_RESULTS = ['stored', 'duplicate', 'rejected'] as const;

/**
 * Seconds. A feed job is 1 to 1,000 events in one transaction: from about 5 ms for one event to
 * tens of seconds for a large batch on a loaded database. A nightly run publishes every force for
 * up to NIGHTLY_CATCH_UP_DAYS dates in one job: seconds to many minutes, hence the buckets to 30
 * minutes (its lock wait alone may be 60 s); beyond 1,800 s lands in +Inf.
 */
export const JOB_DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1_800] as const;

export interface CreateMetricsRegistryOptions {
  /** Queues whose state is read on each scrape. */
  readonly queues: readonly Queue[];
  readonly db: DbOrTransaction;
  readonly log: Logger;
  /** Node process metrics (CPU, memory, event-loop lag, GC) under their standard names; default true. */
  readonly collectDefaults?: boolean;
  /** Labels on every sample, e.g. `{ service: 'worker' }` when several processes are scraped. */
  readonly defaultLabels?: Readonly<Record<string, string>>;
  /** Epoch ms for the oldest-waiting gauge; default `Date.now`. */
  readonly clock?: () => number;
  /** Bound on each scrape's Redis reads; the queue gauges are dropped when it passes (default 2,000 ms). */
  readonly collectTimeoutMs?: number;
}

export interface MetricsRegistry {
  /** A registry of its own (never prom-client's global one), so apps and tests do not clash. */
  readonly registry: Registry;
  readonly jobDuration: Histogram<'queue'>;
  /** Records one job's processing time in seconds. */
  observeJob(queue: string, seconds: number): void;
  /** Observes every job `worker` completes or fails; returns a function that stops. */
  observeWorker(worker: Worker): () => void;
}

/**
 * The Prometheus metrics of operations.md. Queue and table figures are read on each scrape, so
 * any process (API, worker) exposes the same numbers and none has to have seen the events:
 * - `rollcall_queue_jobs{queue,state}` and `rollcall_queue_oldest_waiting_seconds{queue}` (0 when
 *   nothing waits) from Redis;
 * - `rollcall_events_total{feed,result}` from `event_accounting`, summed over forces;
 * - `rollcall_snapshot_published_total{forceId}`: rows in `snapshots` (every revision) per force.
 * The two table totals are counters whose collect() replaces the values with the table's: the
 * table is monotonic and shared, so the exposed value is monotonic as Prometheus expects, and
 * identical from every process. A failed read keeps the last values (a counter that vanished
 * would look like a reset); queue gauges are dropped instead, since a stale gauge misleads.
 * Each failure is logged and counted in `rollcall_metrics_scrape_errors_total{source}`; metrics
 * are collected concurrently, so a scrape shows the failures of the scrapes before it.
 * `rollcall_job_duration_seconds{queue}` is observed in-process by whoever processes jobs.
 */
export function createMetricsRegistry(options: CreateMetricsRegistryOptions): MetricsRegistry {
  const { queues, db, log } = options;
  const clock = options.clock ?? Date.now;
  const collectTimeoutMs = options.collectTimeoutMs ?? 2_000;
  const registry = new Registry();
  if (options.defaultLabels) registry.setDefaultLabels({ ...options.defaultLabels });

  const scrapeErrors = new Counter({
    name: 'rollcall_metrics_scrape_errors_total',
    help: 'Reads that failed while collecting metrics, by source (redis, postgres).',
    labelNames: ['source'] as const,
    registers: [registry],
  });
  const failed = (source: 'redis' | 'postgres', metric: string, err: unknown): void => {
    scrapeErrors.inc({ source });
    log.warn({ err, metric }, 'could not collect a metric');
  };

  new Gauge({
    name: 'rollcall_queue_jobs',
    help: 'Jobs in each queue by state (BullMQ job counts).',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      try {
        const counts = await withinTime(Promise.all(queues.map((queue) => queue.getJobCounts(...COUNTED_STATES))), collectTimeoutMs, 'reading job counts');
        this.reset();
        queues.forEach((queue, index) => {
          for (const state of COUNTED_STATES) this.set({ queue: queue.name, state }, counts[index]?.[state] ?? 0);
        });
      } catch (err) {
        this.reset();
        failed('redis', 'rollcall_queue_jobs', err);
      }
    },
  });

  new Gauge({
    name: 'rollcall_queue_oldest_waiting_seconds',
    help: 'Age in seconds of the oldest waiting job in each queue (lag); 0 when nothing waits.',
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      try {
        const now = clock();
        const ages = await withinTime(Promise.all(queues.map((queue) => readOldestWaitingAge(queue, now))), collectTimeoutMs, 'reading queue lag');
        this.reset();
        queues.forEach((queue, index) => this.set({ queue: queue.name }, ages[index] ?? 0));
      } catch (err) {
        this.reset();
        failed('redis', 'rollcall_queue_oldest_waiting_seconds', err);
      }
    },
  });

  new Counter({
    name: 'rollcall_events_total',
    help: 'Offered events by feed and outcome (stored, duplicate, rejected), from the event_accounting table.',
    labelNames: ['feed', 'result'] as const,
    registers: [registry],
    async collect() {
      try {
        const rows = await db
          .selectFrom('event_accounting')
          .select((eb) => [
            'feed',
            eb.fn.sum<number>('stored').as('stored'),
            eb.fn.sum<number>('duplicate').as('duplicate'),
            eb.fn.sum<number>('rejected').as('rejected'),
          ])
          .groupBy('feed')
          .execute();
        // Every known feed is exposed from the start, at 0, so increase() sees its first events.
        const totals = new Map<string, Record<(typeof EVENT_RESULTS)[number], number>>(
          FEEDS.map((feed) => [feed, { stored: 0, duplicate: 0, rejected: 0 }]),
        );
        // sum(bigint) is numeric, which pg returns as a string.
        for (const row of rows) totals.set(row.feed, { stored: Number(row.stored), duplicate: Number(row.duplicate), rejected: Number(row.rejected) });
        this.reset();
        for (const [feed, counts] of totals) for (const result of EVENT_RESULTS) this.inc({ feed, result }, counts[result]);
      } catch (err) {
        failed('postgres', 'rollcall_events_total', err);
      }
    },
  });

  new Counter({
    name: 'rollcall_snapshot_published_total',
    help: 'Snapshots published (every revision) per force, from the snapshots table.',
    labelNames: ['forceId'] as const,
    registers: [registry],
    async collect() {
      try {
        const rows = await db
          .selectFrom('snapshots')
          .select((eb) => ['force_id', eb.fn.countAll<number>().as('published')])
          .groupBy('force_id')
          .execute();
        this.reset();
        for (const row of rows) this.inc({ forceId: row.force_id }, Number(row.published));
      } catch (err) {
        failed('postgres', 'rollcall_snapshot_published_total', err);
      }
    },
  });

  const jobDuration = new Histogram({
    name: 'rollcall_job_duration_seconds',
    help: 'Processing time of jobs (one attempt, completed or failed) by queue, in seconds.',
    labelNames: ['queue'] as const,
    buckets: [...JOB_DURATION_BUCKETS],
    registers: [registry],
  });

  if (options.collectDefaults ?? true) collectDefaultMetrics({ register: registry });

  const observeJob = (queue: string, seconds: number): void => {
    if (Number.isFinite(seconds) && seconds >= 0) jobDuration.observe({ queue }, seconds);
  };

  const observeWorker = (worker: Worker): (() => void) => {
    const observe = (job: Job | undefined): void => {
      if (!job?.processedOn) return;
      // A failed attempt that will be retried has no finishedOn: it ended now.
      observeJob(worker.name, ((job.finishedOn ?? Date.now()) - job.processedOn) / 1_000);
    };
    const onCompleted = (job: Job): void => observe(job);
    const onFailed = (job: Job | undefined): void => observe(job);
    worker.on('completed', onCompleted);
    worker.on('failed', onFailed);
    return () => {
      worker.off('completed', onCompleted);
      worker.off('failed', onFailed);
    };
  };

  return { registry, jobDuration, observeJob, observeWorker };
}
