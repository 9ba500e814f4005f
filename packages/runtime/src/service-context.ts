import { type Calendar, createCalendar } from '@rollcall/calendar';
import type { Config } from '@rollcall/config';
import { createDatabase, type Db } from '@rollcall/db';
import type { Logger } from '@rollcall/logger';
import { createMetricsRegistry, type MetricsRegistry, type StalledRecorder, stalledRecorderFor } from '@rollcall/ops';
import {
  ALL_QUEUE_NAMES,
  closeQueueConnection,
  openQueueConnection,
  type QueueConnection,
  QueueFactory,
  readMaxMemoryPolicy,
  redisOf,
  waitForQueueConnection,
} from '@rollcall/queue';

/**
 * The shared resources of a process: configuration, logger, the database pool, a producer
 * connection to the queues (Redis, or PostgreSQL with QUEUE_BACKEND=postgres) and the queues on
 * it. Worker connections are opened on demand (they block). One `close()` releases everything, in
 * order, once.
 */
export class ServiceContext {
  readonly calendar: Calendar;
  readonly db: Db;
  readonly producer: QueueConnection;
  readonly queues: QueueFactory;
  private workerConnections: QueueConnection[] = [];
  private metricsRegistry: MetricsRegistry | undefined;
  private stalledRecorder: StalledRecorder | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    readonly config: Config,
    readonly log: Logger,
    options: { readonly maxConnections?: number; readonly applicationName?: string } = {},
  ) {
    this.calendar = createCalendar(config.timeZone);
    this.db = createDatabase(config.databaseUrl, {
      maxConnections: options.maxConnections ?? Math.max(4, config.workerConcurrency * 4 + 2),
      applicationName: options.applicationName ?? 'rollcall',
      onPoolError: (err) => log.warn({ err }, 'database connection lost; the pool will reconnect'),
    });
    this.producer = openQueueConnection(config, { role: 'producer', log });
    this.queues = new QueueFactory({ connection: this.producer, prefix: config.queuePrefix, log });
  }

  /**
   * Opens a context and waits for Redis to accept commands (the producer fails fast, so it must
   * be connected before its first command). PostgreSQL connects on first query.
   */
  static async open(
    config: Config,
    log: Logger,
    options: { readonly maxConnections?: number; readonly applicationName?: string } = {},
  ): Promise<ServiceContext> {
    const context = new ServiceContext(config, log, options);
    try {
      await waitForQueueConnection(context.producer, 10_000);
    } catch (error) {
      await context.close();
      throw error;
    }
    return context;
  }

  /** A new blocking connection for workers and event listeners (never fails fast; reconnects). */
  workerConnection(name = 'rollcall-worker'): QueueConnection {
    const connection = openQueueConnection(this.config, { role: 'worker', log: this.log, name });
    this.workerConnections.push(connection);
    return connection;
  }

  /**
   * The process's Prometheus registry (one per process, shared by the API's /metrics, the metrics
   * port and the workers' job-duration histogram).
   */
  metrics(): MetricsRegistry {
    this.metricsRegistry ??= createMetricsRegistry({
      queues: ALL_QUEUE_NAMES.map((name) => this.queues.queue(name)),
      db: this.db,
      log: this.log,
      stalled: this.stalled(),
    });
    return this.metricsRegistry;
  }

  /** The stalled-job counters beside the queues: recorded by every worker, read by status and /metrics. */
  stalled(): StalledRecorder {
    this.stalledRecorder ??= stalledRecorderFor(this.producer, this.db, this.config.queuePrefix);
    return this.stalledRecorder;
  }

  /**
   * BullMQ loses jobs if Redis evicts keys: anything but `noeviction` is reported loudly, at
   * error level, on every start (operations.md, "Graceful operation").
   */
  async checkRedisEvictionPolicy(): Promise<string | undefined> {
    const redis = redisOf(this.producer);
    if (!redis) return undefined;
    try {
      const policy = await readMaxMemoryPolicy(redis);
      if (policy !== undefined && policy !== 'noeviction') {
        this.log.error(
          { maxmemoryPolicy: policy },
          `REDIS maxmemory-policy is "${policy}": Redis may evict queue keys and lose jobs. Set maxmemory-policy noeviction (BullMQ's production guide).`,
        );
      }
      return policy;
    } catch (err) {
      this.log.warn({ err }, 'could not read Redis maxmemory-policy');
      return undefined;
    }
  }

  async close(): Promise<void> {
    this.closing ??= (async () => {
      await this.queues.close();
      await Promise.allSettled([...this.workerConnections, this.producer].map(closeQueueConnection));
      await this.db.destroy();
    })();
    return this.closing;
  }
}
