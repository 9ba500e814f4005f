import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FeedEvent, Feed } from '@rollcall/contract';
import { createFeedWorkers } from '@rollcall/store';
import { testIngestContext } from '@rollcall/testing';
import { createSilentLogger } from '@rollcall/logger';
import { type PublishDeps, publishSnapshot, reviseStaleSnapshots } from '@rollcall/publishing';
import { type PublishOutcome } from '@rollcall/publishing';
import {
  closeQueueConnection,
  FEED_QUEUE_NAMES,
  feedQueueName,
  MAX_EVENTS_PER_JOB,
  type QueueBackendKind,
  type QueueConnection,
  QueueFactory,
  waitForQueuesDrained,
} from '@rollcall/queue';
import {
  createTestDatabase,
  createTestRedis,
  testQueueBackend,
  testQueueConnection,
  type TestDatabase,
  type TestRedis,
} from '@rollcall/testing';
import type { Worker } from 'bullmq';

/**
 * The whole pipeline on real PostgreSQL and Redis for one test file: its own database and queue
 * prefix, the feed workers running, events offered through the feed queues in jobs of up to
 * 1,000, and snapshots published by the same code as the nightly run.
 */
export class PipelineHarness {
  private workers: Worker[] = [];

  private constructor(
    readonly database: TestDatabase,
    readonly redis: TestRedis,
    /** Where the queues are: Redis under `redis.prefix`, or PostgreSQL in the test database (schema named after it). */
    readonly queueBackend: QueueBackendKind,
    private readonly producer: QueueConnection,
    private readonly workerConnection: QueueConnection,
    readonly queues: QueueFactory,
    readonly snapshotDir: string,
    readonly publishDeps: PublishDeps,
  ) {}

  static async start(
    options: {
      workerConcurrency?: number;
      startWorkers?: boolean;
      database?: TestDatabase;
      queueBackend?: QueueBackendKind;
    } = {},
  ): Promise<PipelineHarness> {
    const log = createSilentLogger();
    // A database of the caller's (one at an older migration, say) is destroyed with the harness.
    const database = options.database ?? (await createTestDatabase());
    const redis = createTestRedis();
    const queueBackend = options.queueBackend ?? testQueueBackend();
    const producer = testQueueConnection(queueBackend, redis, database.url, 'producer');
    const workerConnection = testQueueConnection(queueBackend, redis, database.url, 'worker');
    const queues = new QueueFactory({ connection: producer, prefix: redis.prefix, log });
    const snapshotDir = await mkdtemp(join(tmpdir(), 'rollcall-e2e-'));
    const publishDeps: PublishDeps = {
      db: database.db,
      queues,
      snapshotDir,
      disclosure: { maxSuppressedCount: 4 },
      timeZone: 'Europe/London',
      log,
    };
    const harness = new PipelineHarness(
      database,
      redis,
      queueBackend,
      producer,
      workerConnection,
      queues,
      snapshotDir,
      publishDeps,
    );
    if (options.startWorkers !== false) harness.startWorkers(options.workerConcurrency ?? 2);
    return harness;
  }

  get db() {
    return this.database.db;
  }

  /** The environment a service process needs to work on this harness's database and queues. */
  serviceEnv(): Record<string, string> {
    return {
      DATABASE_URL: this.database.url,
      REDIS_URL: this.redis.url,
      QUEUE_PREFIX: this.redis.prefix,
      QUEUE_BACKEND: this.queueBackend,
    };
  }

  startWorkers(concurrency = 2): void {
    this.workers = createFeedWorkers({
      db: this.database.db,
      connection: this.workerConnection,
      prefix: this.redis.prefix,
      context: testIngestContext(),
      concurrency,
      log: createSilentLogger(),
    });
  }

  async stopWorkers(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.close()));
    this.workers = [];
  }

  /** Offers events (or anything: invalid inputs too) on their feed queues, in jobs of up to 1,000. */
  async offer(feed: Feed, inputs: readonly unknown[], batchSize = MAX_EVENTS_PER_JOB): Promise<void> {
    for (let start = 0; start < inputs.length; start += batchSize) {
      await this.queues.add('feed-batch', feedQueueName(feed), { events: inputs.slice(start, start + batchSize) });
    }
  }

  /** Offers typed events, grouped by their feed. */
  async offerEvents(events: readonly FeedEvent[], batchSize = MAX_EVENTS_PER_JOB): Promise<void> {
    const byFeed = new Map<Feed, FeedEvent[]>();
    for (const event of events) {
      const list = byFeed.get(event.feed);
      if (list) list.push(event);
      else byFeed.set(event.feed, [event]);
    }
    for (const [feed, feedEvents] of byFeed) await this.offer(feed, feedEvents, batchSize);
  }

  /** Waits until every feed queue is empty and every job finished (throws on timeout). */
  async drain(timeoutMs = 120_000): Promise<void> {
    const result = await waitForQueuesDrained(this.queues, FEED_QUEUE_NAMES, { timeoutMs });
    if (!result.drained)
      throw new Error(`queues not drained after ${timeoutMs} ms: ${JSON.stringify(result.outstanding)}`);
  }

  async publish(forceId: string, asOf: string): Promise<PublishOutcome> {
    return publishSnapshot(this.publishDeps, forceId, asOf);
  }

  async reviseStale(): Promise<PublishOutcome[]> {
    return reviseStaleSnapshots(this.publishDeps);
  }

  async close(): Promise<void> {
    await this.stopWorkers();
    await this.queues.close();
    await closeQueueConnection(this.producer);
    await closeQueueConnection(this.workerConnection);
    await this.redis.destroy();
    await this.database.destroy();
    await rm(this.snapshotDir, { recursive: true, force: true });
  }
}

/** The entry of a measure for a period (and breakdown) in a snapshot document. */
export function measureOf(
  outcome: Pick<PublishOutcome, 'document'>,
  measureId: string,
  periodId: string,
  breakdown: Readonly<Record<string, string>> | null = null,
) {
  const entry = outcome.document.measures.find(
    (m) =>
      m.measureId === measureId &&
      m.period.id === periodId &&
      JSON.stringify(m.breakdown) === JSON.stringify(breakdown),
  );
  if (!entry) {
    const available = outcome.document.measures
      .filter((m) => m.measureId === measureId)
      .map((m) => `${m.period.id} ${JSON.stringify(m.breakdown)}`);
    throw new Error(
      `no ${measureId} for ${periodId} ${JSON.stringify(breakdown)}; present: ${available.join(', ') || 'none'}`,
    );
  }
  return entry;
}
