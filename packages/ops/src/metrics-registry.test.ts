import { addToAccounting } from '@rollcall/db';
import { createSilentLogger } from '@rollcall/logger';
import { createTestDatabase, type TestDatabase } from '@rollcall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetricsRegistry, type MetricsRegistry } from './metrics-registry.ts';
import { createOpsTestKit, eventsOf } from '../test/ops-test-kit.ts';
import { createStalledRecorder } from './stalled-counter.ts';

interface Scrape {
  readonly types: ReadonlyMap<string, string>;
  /** `name{a="x",b="y"}` (labels sorted) to value. */
  readonly samples: ReadonlyMap<string, number>;
}

/** Parses the Prometheus text format as a scraper would: TYPE lines and samples. */
function parse(text: string): Scrape {
  const types = new Map<string, string>();
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) types.set(type[1]!, type[2]!);
    if (line === '' || line.startsWith('#')) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!sample) throw new Error(`not a sample line: ${line}`);
    const labels = [...(sample[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)]
      .map(([, k, v]) => `${k}="${v}"`)
      .sort();
    samples.set(`${sample[1]}{${labels.join(',')}}`, Number(sample[3]));
  }
  return { types, samples };
}

const kit = createOpsTestKit();
let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => {
  await kit.close();
  await test.destroy();
});

const snapshot = (snapshotId: string, forceId: string, revision: number) => ({
  snapshot_id: snapshotId,
  force_id: forceId,
  as_of: '2026-11-21',
  revision,
  supersedes: null,
  content_hash: `hash-${snapshotId}`,
  generated_at: '2026-11-22T03:31:00Z',
  document: '{}',
});

describe('createMetricsRegistry', () => {
  let metrics: MetricsRegistry;
  const now = Date.now();

  beforeAll(async () => {
    const dvpo = kit.queue('feed.dvpo');
    await dvpo.add('feed-batch', { n: 1 }, { timestamp: now - 90_000 });
    await dvpo.add('feed-batch', { n: 2 }, { timestamp: now - 5_000 });
    await dvpo.add('feed-batch', { n: 3 }, { delay: 3_600_000 });
    await addToAccounting(test.db, [
      { feed: 'dvpo', forceId: 'avon-and-somerset', stored: 5, duplicate: 1, rejected: 2 },
      { feed: 'dvpo', forceId: 'kent', stored: 3, duplicate: 0, rejected: 1 },
      { feed: 'call-handling', forceId: 'kent', stored: 40, duplicate: 2, rejected: 0 },
    ]);
    await test.db
      .insertInto('snapshots')
      .values([snapshot('s-1', 'kent', 1), snapshot('s-2', 'kent', 2), snapshot('s-3', 'avon-and-somerset', 1)])
      .execute();
    metrics = createMetricsRegistry({
      queues: [dvpo, kit.queue('snapshots.published')],
      db: test.db,
      log: createSilentLogger(),
      clock: () => now,
      stalled: createStalledRecorder(kit.redis, kit.prefix),
    });
  });

  it('declares every metric with the type operations.md names', async () => {
    const { types } = parse(await metrics.registry.metrics());
    expect(Object.fromEntries([...types].filter(([name]) => name.startsWith('rollcall_')))).toEqual({
      rollcall_metrics_scrape_errors_total: 'counter',
      rollcall_queue_jobs: 'gauge',
      rollcall_queue_oldest_waiting_seconds: 'gauge',
      rollcall_queue_workers: 'gauge',
      rollcall_queue_stalled_total: 'counter',
      rollcall_nightly_last_success_timestamp_seconds: 'gauge',
      rollcall_nightly_failed_dates: 'gauge',
      rollcall_snapshot_outbox_undelivered: 'gauge',
      rollcall_snapshot_outbox_failing: 'gauge',
      rollcall_events_total: 'counter',
      rollcall_snapshot_published_total: 'counter',
      rollcall_job_duration_seconds: 'histogram',
    });
    // prom-client's default Node metrics, under their standard names.
    expect(types.get('nodejs_eventloop_lag_seconds')).toBe('gauge');
    expect(types.get('process_cpu_user_seconds_total')).toBe('counter');
  });

  it('reads queue state on scrape', async () => {
    const { samples } = parse(await metrics.registry.metrics());
    expect(samples.get('rollcall_queue_jobs{queue="feed.dvpo",state="waiting"}')).toBe(2);
    expect(samples.get('rollcall_queue_jobs{queue="feed.dvpo",state="delayed"}')).toBe(1);
    expect(samples.get('rollcall_queue_jobs{queue="feed.dvpo",state="failed"}')).toBe(0);
    expect(samples.get('rollcall_queue_jobs{queue="snapshots.published",state="waiting"}')).toBe(0);
    expect(samples.get('rollcall_queue_oldest_waiting_seconds{queue="feed.dvpo"}')).toBe(90);
    expect(samples.get('rollcall_queue_oldest_waiting_seconds{queue="snapshots.published"}')).toBe(0);
  });

  it('exposes event outcomes per feed from event_accounting, summed over forces, every feed from 0', async () => {
    const { samples } = parse(await metrics.registry.metrics());
    expect(samples.get('rollcall_events_total{feed="dvpo",result="stored"}')).toBe(8);
    expect(samples.get('rollcall_events_total{feed="dvpo",result="duplicate"}')).toBe(1);
    expect(samples.get('rollcall_events_total{feed="dvpo",result="rejected"}')).toBe(3);
    expect(samples.get('rollcall_events_total{feed="call-handling",result="stored"}')).toBe(40);
    expect(samples.get('rollcall_events_total{feed="stop-search",result="stored"}')).toBe(0);
    expect(samples.get('rollcall_snapshot_published_total{forceId="kent"}')).toBe(2);
    expect(samples.get('rollcall_snapshot_published_total{forceId="avon-and-somerset"}')).toBe(1);
  });

  it('follows the tables from scrape to scrape without adding a scrape onto the last', async () => {
    const before = parse(await metrics.registry.metrics()).samples;
    const again = parse(await metrics.registry.metrics()).samples;
    expect(again.get('rollcall_events_total{feed="dvpo",result="stored"}')).toBe(
      before.get('rollcall_events_total{feed="dvpo",result="stored"}'),
    );
    await addToAccounting(test.db, [{ feed: 'dvpo', forceId: 'kent', stored: 10, duplicate: 0, rejected: 0 }]);
    await test.db
      .insertInto('snapshots')
      .values(snapshot('s-4', 'kent', 3))
      .execute();
    const after = parse(await metrics.registry.metrics()).samples;
    expect(after.get('rollcall_events_total{feed="dvpo",result="stored"}')).toBe(18);
    expect(after.get('rollcall_snapshot_published_total{forceId="kent"}')).toBe(3);
  });

  it("shows the nightly run's health: last success as Unix time (0 before any) and dates still failed", async () => {
    const before = parse(await metrics.registry.metrics()).samples;
    expect(before.get('rollcall_nightly_last_success_timestamp_seconds{}')).toBe(0);
    expect(before.get('rollcall_nightly_failed_dates{}')).toBe(0);
    const run = (asOf: string, state: string, finishedAt: string) => ({
      as_of: asOf,
      state,
      trigger: 'schedule',
      started_at: finishedAt,
      finished_at: finishedAt,
      error: state === 'failed' ? 'ENOSPC' : null,
      published: '[]',
    });
    await test.db
      .insertInto('nightly_runs')
      .values([
        run('2026-11-19', 'failed', '2026-11-20T03:35:00Z'),
        run('2026-11-20', 'succeeded', '2026-11-21T03:31:07Z'),
        run('2026-11-21', 'failed', '2026-11-22T03:40:00Z'),
      ])
      .execute();
    try {
      const after = parse(await metrics.registry.metrics()).samples;
      expect(after.get('rollcall_nightly_last_success_timestamp_seconds{}')).toBe(
        Date.parse('2026-11-21T03:31:07Z') / 1_000,
      );
      expect(after.get('rollcall_nightly_failed_dates{}')).toBe(2);
    } finally {
      await test.db.deleteFrom('nightly_runs').execute();
    }
  });

  it('counts workers connected and stalls recorded per queue', async () => {
    const recorder = createStalledRecorder(kit.redis, kit.prefix);
    await recorder.record('feed.dvpo', 'job-a');
    await recorder.record('feed.dvpo', 'job-b');
    const worker = kit.worker('snapshots.published', async () => 'consumed');
    await worker.waitUntilReady();
    const { samples } = parse(await metrics.registry.metrics());
    expect(samples.get('rollcall_queue_stalled_total{queue="feed.dvpo"}')).toBe(2);
    expect(samples.get('rollcall_queue_stalled_total{queue="snapshots.published"}')).toBe(0);
    expect(samples.get('rollcall_queue_workers{queue="feed.dvpo"}')).toBe(0);
    expect(samples.get('rollcall_queue_workers{queue="snapshots.published"}')).toBe(1);
    await worker.close();
    expect(
      parse(await metrics.registry.metrics()).samples.get('rollcall_queue_workers{queue="snapshots.published"}'),
    ).toBe(0);
  });

  it('observes a nightly run of minutes into buckets of its own, not +Inf', async () => {
    metrics.observeJob('scheduler.nightly', 95);
    metrics.observeJob('scheduler.nightly', 420);
    const { samples } = parse(await metrics.registry.metrics());
    const bucket = (le: string) =>
      samples.get(`rollcall_job_duration_seconds_bucket{le="${le}",queue="scheduler.nightly"}`);
    expect([bucket('60'), bucket('120'), bucket('300'), bucket('600'), bucket('1800'), bucket('+Inf')]).toEqual([
      0, 1, 1, 2, 2, 2,
    ]);
  });

  it('observes job durations into buckets from 5 ms to 60 s', async () => {
    metrics.observeJob('feed.dvpo', 0.004);
    metrics.observeJob('feed.dvpo', 0.3);
    metrics.observeJob('feed.dvpo', 75);
    const { samples } = parse(await metrics.registry.metrics());
    const bucket = (le: string) => samples.get(`rollcall_job_duration_seconds_bucket{le="${le}",queue="feed.dvpo"}`);
    expect(bucket('0.005')).toBe(1);
    expect(bucket('0.5')).toBe(2);
    expect(bucket('60')).toBe(2);
    expect(bucket('+Inf')).toBe(3);
    expect(samples.get('rollcall_job_duration_seconds_count{queue="feed.dvpo"}')).toBe(3);
    expect(samples.get('rollcall_job_duration_seconds_sum{queue="feed.dvpo"}')).toBeCloseTo(75.304, 9);
  });

  it('observes the jobs a worker processes', async () => {
    const queue = kit.queue('feed.stop-search');
    const own = createMetricsRegistry({ queues: [], db: test.db, log: createSilentLogger(), collectDefaults: false });
    const worker = kit.worker('feed.stop-search', async () => 'ok');
    own.observeWorker(worker);
    const done = eventsOf(worker, 'completed', 2);
    await queue.add('feed-batch', { n: 1 });
    await queue.add('feed-batch', { n: 2 });
    await done;
    const { samples, types } = parse(await own.registry.metrics());
    expect(samples.get('rollcall_job_duration_seconds_count{queue="feed.stop-search"}')).toBe(2);
    // A registry of its own: this one has no default metrics, and both exist side by side.
    expect(types.has('nodejs_eventloop_lag_seconds')).toBe(false);
  });

  it('keeps serving when PostgreSQL cannot be read, and counts the failure', async () => {
    const broken = await createTestDatabase();
    await broken.destroy();
    const degraded = createMetricsRegistry({
      queues: [kit.queue('feed.dvpo')],
      db: broken.db,
      log: createSilentLogger(),
      collectDefaults: false,
      clock: () => now,
    });
    const { samples } = parse(await degraded.registry.metrics());
    expect(samples.get('rollcall_queue_jobs{queue="feed.dvpo",state="waiting"}')).toBe(2);
    expect(samples.has('rollcall_events_total{feed="dvpo",result="stored"}')).toBe(false);
    // Metrics are collected concurrently, so a scrape shows the failures of the scrapes before it:
    // events, snapshots, the two nightly gauges and the two outbox gauges.
    const next = parse(await degraded.registry.metrics()).samples;
    expect(next.get('rollcall_metrics_scrape_errors_total{source="postgres"}')).toBe(6);
    expect(next.has('rollcall_metrics_scrape_errors_total{source="redis"}')).toBe(false);
  });
});

describe('a scrape while Redis is unreachable', () => {
  it('drops the queue gauges after the bound instead of hanging', async () => {
    const { Redis } = await import('ioredis');
    const { Queue } = await import('bullmq');
    // Port 1: nothing listens; a worker-style connection waits for Redis for ever.
    const connection = new Redis('redis://127.0.0.1:1', {
      maxRetriesPerRequest: null,
      lazyConnect: false,
      retryStrategy: () => 1_000,
    });
    connection.on('error', () => undefined);
    const queue = new Queue('feed.dvpo', { connection, prefix: 'unreachable' });
    queue.on('error', () => undefined);
    try {
      const { registry } = createMetricsRegistry({
        queues: [queue],
        db: test.db,
        log: createSilentLogger(),
        collectDefaults: false,
        collectTimeoutMs: 200,
      });
      const started = Date.now();
      const text = await registry.metrics();
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(text).not.toMatch(/^rollcall_queue_jobs\{/m);
      expect(text).not.toMatch(/^rollcall_queue_workers\{/m);
      // prom-client collects every metric at once, so a scrape shows the failures of the last one:
      // job counts, lag and workers.
      expect(await registry.metrics()).toMatch(/^rollcall_metrics_scrape_errors_total\{source="redis"\} 3$/m);
    } finally {
      await queue.close().catch(() => undefined);
      connection.disconnect();
    }
  });
});
