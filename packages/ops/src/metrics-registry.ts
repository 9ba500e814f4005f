import {
  countSnapshotsByForce,
  type DbOrTransaction,
  readEventTotalsByFeed,
  type SnapshotOutboxSummary,
  summariseSnapshotOutbox,
} from '@rollcall/db';
import { FEEDS } from '@rollcall/contract';
import type { Logger } from '@rollcall/logger';
import type { Job, Queue, Worker } from 'bullmq';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { checkNightlyDeadMan, type NightlyDeadMan } from './nightly-dead-man.ts';
import { readOldestWaitingAge } from './oldest-waiting-age.ts';
import { COUNTED_STATES } from './queue-health.ts';
import type { StalledRecorder } from './stalled-counter.ts';
import { withinTime } from './within-time.ts';

export const EVENT_RESULTS = ['stored', 'duplicate', 'rejected'] as const;

/**
 * Seconds. A feed job is 1 to 1,000 events in one transaction: from about 5 ms for one event to
 * tens of seconds for a large batch on a loaded database. A nightly run publishes every force for
 * up to NIGHTLY_CATCH_UP_DAYS dates in one job: seconds to many minutes, hence the buckets to 30
 * minutes (its lock wait alone may be 60 s); beyond 1,800 s lands in +Inf.
 */
export const JOB_DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1_800,
] as const;

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
  /** Where stall counts are read (see `watchStalled`); without it `rollcall_queue_stalled_total` is not exposed. */
  readonly stalled?: Pick<StalledRecorder, 'count'>;
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
 * - `rollcall_snapshot_published_total{forceId}`: rows in `snapshots` (every revision) per force;
 * - `rollcall_queue_workers{queue}` (worker connections) and `rollcall_queue_stalled_total{queue}`
 *   (the stalled counters every worker process records in Redis);
 * - `rollcall_nightly_last_success_timestamp_seconds` (0 when no run ever succeeded) and
 *   `rollcall_nightly_failed_dates` from `nightly_runs`: the dead-man check as an alert can
 *   state it, `time() - rollcall_nightly_last_success_timestamp_seconds > 26 * 3600`;
 * - `rollcall_snapshot_outbox_undelivered` and `rollcall_snapshot_outbox_failing` from
 *   `snapshot_outbox`: snapshots published whose files or message are not delivered, and those
 *   whose delivery was tried and failed (`> 0` is the alert: the API serves a snapshot the files
 *   do not hold);
 * The table totals and the stalled counts are counters whose collect() replaces the values with
 * the stored ones: those only grow and are shared, so the exposed value is monotonic as
 * Prometheus expects, and identical from every process. A failed read keeps the last values (a
 * counter that vanished would look like a reset), and so do the nightly and outbox gauges; queue gauges
 * are dropped instead, since a stale gauge misleads.
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
        const counts = await withinTime(
          Promise.all(queues.map((queue) => queue.getJobCounts(...COUNTED_STATES))),
          collectTimeoutMs,
          'reading job counts',
        );
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

  /** A gauge of one number per queue read from Redis; dropped for the scrape when the read fails. */
  const queueGauge = (
    name: string,
    help: string,
    what: string,
    read: (queue: Queue, now: number) => Promise<number | null>,
  ): void => {
    new Gauge({
      name,
      help,
      labelNames: ['queue'] as const,
      registers: [registry],
      async collect() {
        try {
          const now = clock();
          const values = await withinTime(Promise.all(queues.map((queue) => read(queue, now))), collectTimeoutMs, what);
          this.reset();
          queues.forEach((queue, index) => this.set({ queue: queue.name }, values[index] ?? 0));
        } catch (err) {
          this.reset();
          failed('redis', name, err);
        }
      },
    });
  };
  queueGauge(
    'rollcall_queue_oldest_waiting_seconds',
    'Seconds the longest-waiting job in each queue has been ready to be picked up (lag; a retried job counts from when its backoff ended); 0 when nothing waits.',
    'reading queue lag',
    readOldestWaitingAge,
  );
  queueGauge(
    'rollcall_queue_workers',
    'Workers connected to each queue (BullMQ worker connections, on Redis or PostgreSQL).',
    'reading workers',
    (queue) => queue.getWorkersCount(),
  );

  const { stalled } = options;
  if (stalled) {
    new Counter({
      name: 'rollcall_queue_stalled_total',
      help: 'Jobs found stalled (lock expired before they finished) per queue, from the counters beside the queues (Redis, or PostgreSQL pipeline markers).',
      labelNames: ['queue'] as const,
      registers: [registry],
      async collect() {
        try {
          const counts = await withinTime(
            Promise.all(queues.map((queue) => stalled.count(queue.name))),
            collectTimeoutMs,
            'reading stalled counts',
          );
          this.reset();
          queues.forEach((queue, index) => this.inc({ queue: queue.name }, counts[index] ?? 0));
        } catch (err) {
          failed('redis', 'rollcall_queue_stalled_total', err);
        }
      },
    });
  }

  // prom-client collects every metric at once: gauges made from one read share it per scrape
  // (`gaugesOverOneRead`). A failed read keeps the gauges' last values: a gauge without labels
  // cannot be dropped (prom-client shows 0), and 0 would read as "never succeeded", "nothing
  // failed" or "everything delivered".
  const gaugesOverOneRead = <T>(read: () => Promise<T>) => {
    let inFlight: Promise<T> | undefined;
    const shared = (): Promise<T> =>
      (inFlight ??= read().finally(() => {
        inFlight = undefined;
      }));
    return (name: string, help: string, value: (read: T) => number): void => {
      new Gauge({
        name,
        help,
        registers: [registry],
        async collect() {
          try {
            this.set(value(await shared()));
          } catch (err) {
            failed('postgres', name, err);
          }
        },
      });
    };
  };

  // The dead-man window is the alert's to apply, so none is given here.
  const nightlyGauge = gaugesOverOneRead<NightlyDeadMan>(() =>
    checkNightlyDeadMan(db, { deadManHours: Number.POSITIVE_INFINITY, now: clock() }),
  );
  nightlyGauge(
    'rollcall_nightly_last_success_timestamp_seconds',
    'Unix time the latest successful nightly run finished; 0 when none has succeeded.',
    ({ lastSuccessAt }) => (lastSuccessAt === null ? 0 : Date.parse(lastSuccessAt) / 1_000),
  );
  nightlyGauge(
    'rollcall_nightly_failed_dates',
    'Dates whose nightly run failed and has not succeeded since.',
    ({ failedDates }) => failedDates,
  );

  const outboxGauge = gaugesOverOneRead<SnapshotOutboxSummary>(() => summariseSnapshotOutbox(db, { failingShown: 0 }));
  outboxGauge(
    'rollcall_snapshot_outbox_undelivered',
    'Snapshots published whose files or snapshots.published message are not delivered yet.',
    ({ undelivered }) => undelivered,
  );
  outboxGauge(
    'rollcall_snapshot_outbox_failing',
    'Snapshots published whose files or message failed to be delivered (SNAPSHOT_DIR or Redis), until a later delivery succeeds.',
    ({ failingCount }) => failingCount,
  );

  new Counter({
    name: 'rollcall_events_total',
    help: 'Offered events by feed and outcome (stored, duplicate, rejected), from the event_accounting table.',
    labelNames: ['feed', 'result'] as const,
    registers: [registry],
    async collect() {
      try {
        const rows = await readEventTotalsByFeed(db);
        // Every known feed is exposed from the start, at 0, so increase() sees its first events.
        const totals = new Map<string, Record<(typeof EVENT_RESULTS)[number], number>>(
          FEEDS.map((feed) => [feed, { stored: 0, duplicate: 0, rejected: 0 }]),
        );
        for (const { feed, ...counts } of rows) totals.set(feed, counts);
        this.reset();
        for (const [feed, counts] of totals)
          for (const result of EVENT_RESULTS) this.inc({ feed, result }, counts[result]);
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
        const rows = await countSnapshotsByForce(db);
        this.reset();
        for (const { forceId, published } of rows) this.inc({ forceId }, published);
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
