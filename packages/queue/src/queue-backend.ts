import type { Config } from '@rollcall/config';
import type { Logger } from '@rollcall/logger';
import {
  createPostgresBackend,
  type JobJson,
  PostgresQueueBackend,
  Queue,
  QueueEvents,
  type QueueEventsOptions,
  type QueueOptions,
  type WorkerOptions,
} from 'bullmq';
import { deleteKeysWithPrefix } from './delete-keys-with-prefix.ts';
import { type ConnectionRole, waitForRedisReady } from './redis-connection.ts';
import {
  createTopologyConnection,
  describeRedisAddress,
  duplicateBlocking,
  type RedisClient,
} from './redis-topology.ts';

/**
 * The one place that knows where the queues live (QUEUE_BACKEND, operations.md "Queues on Redis or
 * PostgreSQL"): Redis, or PostgreSQL through BullMQ 6's own backend (a job table in a schema of the
 * queues' own, workers taking jobs with FOR UPDATE SKIP LOCKED and woken by LISTEN/NOTIFY). Both
 * speak BullMQ's Queue, Worker, QueueEvents and job-scheduler API, so everything above this file
 * (workers, ingest, drain, status, metrics, the nightly scheduler) runs unchanged on either.
 */
export type QueueBackendKind = 'redis' | 'postgres';

/**
 * Where a process's queues are in PostgreSQL: a database and the schema that namespaces them, as a
 * Redis key prefix does (each Queue, Worker and QueueEvents opens its own small pool on it).
 */
export class PostgresQueueStore {
  readonly kind = 'postgres';
  private readyQueue: Queue | undefined;

  constructor(
    readonly databaseUrl: string,
    readonly schema: string,
  ) {}

  /** BullMQ's connection options: its migrations run on first connect, under an advisory lock. */
  bullConnection(maxConnections = 3): { connectionString: string; schema: string; migrate: true; max: number } {
    return { connectionString: this.databaseUrl, schema: this.schema, migrate: true, max: maxConnections };
  }

  /** Connects, creating or upgrading BullMQ's schema, or rejects after `timeoutMs`. */
  async waitUntilReady(timeoutMs: number): Promise<void> {
    const queue = (this.readyQueue ??= openQueue('rollcall-ready', this, ''));
    queue.on('error', () => undefined);
    await withTimeout(queue.waitUntilReady(), timeoutMs, `${this.describe()} not ready after ${timeoutMs} ms`);
  }

  describe(): string {
    const url = new URL(this.databaseUrl);
    return `PostgreSQL queues at ${url.hostname}:${url.port || '5432'}${url.pathname} (schema ${this.schema})`;
  }

  async close(): Promise<void> {
    await this.readyQueue?.close().catch(() => undefined);
    this.readyQueue = undefined;
  }
}

/** A connection to the queues: a Redis client of any topology, or the PostgreSQL queue store. */
export type QueueConnection = RedisClient | PostgresQueueStore;

export function isPostgresQueueStore(connection: QueueConnection): connection is PostgresQueueStore {
  return connection instanceof PostgresQueueStore;
}

export function queueBackendOf(connection: QueueConnection): QueueBackendKind {
  return isPostgresQueueStore(connection) ? 'postgres' : 'redis';
}

/**
 * The schema of a prefix's queues: a prefix namespaces Redis keys, a schema namespaces PostgreSQL
 * tables, so test files and pipelines that share a server stay apart on both.
 */
export function queueSchemaFor(prefix: string): string {
  return `queues_${prefix.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}`.slice(0, 63);
}

/** A connection of the given role to the configured queue backend. */
export function openQueueConnection(
  config: Pick<Config, 'queueBackend' | 'databaseUrl' | 'redis' | 'queuePrefix'>,
  options: { readonly role: ConnectionRole; readonly log?: Logger; readonly name?: string },
): QueueConnection {
  return config.queueBackend === 'postgres'
    ? new PostgresQueueStore(config.databaseUrl, queueSchemaFor(config.queuePrefix))
    : createTopologyConnection(config.redis, options);
}

/** Waits until the queues answer (a fail-fast Redis producer refuses commands before that). */
export async function waitForQueueConnection(connection: QueueConnection, timeoutMs = 5_000): Promise<void> {
  if (isPostgresQueueStore(connection)) await connection.waitUntilReady(timeoutMs);
  else await waitForRedisReady(connection, timeoutMs);
}

/** Releases a connection opened by `openQueueConnection`. */
export async function closeQueueConnection(connection: QueueConnection): Promise<void> {
  if (isPostgresQueueStore(connection)) await connection.close();
  else connection.disconnect();
}

export function describeQueueConnection(connection: QueueConnection): string {
  return isPostgresQueueStore(connection) ? connection.describe() : describeRedisAddress(connection);
}

/** The Redis client behind a connection, for what only Redis has (its eviction policy, its epoch marker). */
export function redisOf(connection: QueueConnection): RedisClient | undefined {
  return isPostgresQueueStore(connection) ? undefined : connection;
}

/**
 * Deletes every queue of a prefix with its jobs (the demo's reset, test clean-up). Redis: every key
 * under the prefix. PostgreSQL: each named queue obliterated through BullMQ (the schema itself
 * stays, empty).
 */
export async function deleteQueueData(
  connection: QueueConnection,
  prefix: string,
  queueNames: readonly string[],
): Promise<void> {
  if (!isPostgresQueueStore(connection)) {
    await deleteKeysWithPrefix(connection, prefix);
    return;
  }
  for (const name of queueNames) {
    const queue = openQueue(name, connection, prefix);
    try {
      await queue.obliterate({ force: true });
    } finally {
      await queue.close();
    }
  }
}

/** A BullMQ Queue on the connection's backend. */
export function openQueue(name: string, connection: QueueConnection, prefix: string): Queue {
  if (isPostgresQueueStore(connection))
    return new Queue(name, { connection: connection.bullConnection() }, createPostgresBackend) as unknown as Queue;
  return new Queue(name, { connection, prefix } satisfies QueueOptions);
}

/**
 * A QueueEvents listener with the connection it owns: on Redis a new blocking connection (closed
 * by `disconnect`), on PostgreSQL its own pool and LISTEN connection (closed with the listener).
 */
export function openQueueEvents(
  name: string,
  connection: QueueConnection,
  prefix: string,
): { readonly events: QueueEvents; disconnect(): void } {
  if (isPostgresQueueStore(connection)) {
    const options: QueueEventsOptions<ReturnType<PostgresQueueStore['bullConnection']>> = {
      connection: connection.bullConnection(2),
    };
    return {
      events: new QueueEvents(name, options, createPostgresBackend) as unknown as QueueEvents,
      disconnect: () => undefined,
    };
  }
  const blocking = duplicateBlocking(connection);
  blocking.on('error', () => undefined);
  return { events: new QueueEvents(name, { connection: blocking, prefix }), disconnect: () => blocking.disconnect() };
}

/**
 * A Worker's connection options and backend factory (the 4th argument of `new Worker`): on
 * PostgreSQL a pool of `concurrency + 2` (jobs run at once, lock renewal, the stalled checker) and a
 * LISTEN connection of its own.
 */
export function workerBackend(
  connection: QueueConnection,
  prefix: string,
  concurrency: number,
): {
  readonly options: Pick<WorkerOptions, 'connection' | 'prefix'>;
  readonly factory: typeof createPostgresBackend | undefined;
} {
  if (isPostgresQueueStore(connection))
    return {
      options: { connection: connection.bullConnection(concurrency + 2) as unknown as WorkerOptions['connection'] },
      factory: createPostgresBackend,
    };
  return { options: { connection, prefix }, factory: undefined };
}

/** Whether a queue object lives in PostgreSQL. */
export function isPostgresQueue(queue: Queue): boolean {
  return queue.getBackend() instanceof PostgresQueueBackend;
}

/** The fields of a job that health checks read, by BullMQ's names on Redis. */
export type JobField = 'name' | 'failedReason' | 'atm' | 'finishedOn' | 'processedOn' | 'stc' | 'timestamp';

const fieldOfJob = (job: JobJson, field: JobField): string | null => {
  const value = {
    name: job.name,
    failedReason: job.failedReason,
    atm: job.attemptsMade,
    finishedOn: job.finishedOn,
    processedOn: job.processedOn,
    stc: job.stalledCounter,
    timestamp: job.timestamp,
  }[field];
  return value === undefined || value === null ? null : String(value);
};

/**
 * How many finished jobs a health check reads on PostgreSQL at most: there a job is read whole
 * (a feed job's data is up to 1,000 events), where Redis reads two fields of it.
 */
export const POSTGRES_JOB_SAMPLE = 20;

/** `requested`, or at most POSTGRES_JOB_SAMPLE for a queue in PostgreSQL. */
export function jobSampleSize(queue: Queue, requested: number): number {
  return isPostgresQueue(queue) ? Math.min(requested, POSTGRES_JOB_SAMPLE) : requested;
}

/**
 * Reads a few fields of each job, null where the job or field is gone. On Redis only those fields
 * are fetched from the job hashes (a feed job carries up to 1,000 events, and one whose data is not
 * JSON cannot be built); on PostgreSQL the job's stored row is read through the backend, without
 * building the job or parsing its data.
 */
export async function readJobFields(
  queue: Queue,
  jobIds: readonly string[],
  fields: readonly JobField[],
): Promise<(string | null)[][]> {
  if (isPostgresQueue(queue)) {
    const backend = queue.getBackend() as unknown as PostgresQueueBackend;
    return Promise.all(
      jobIds.map(async (jobId) => {
        const job = await backend.getJobData(jobId).catch(() => undefined);
        return fields.map((field) => (job ? fieldOfJob(job, field) : null));
      }),
    );
  }
  const client = await queue.getBackend().client;
  return Promise.all(jobIds.map((jobId) => client.hmget(queue.toKey(jobId), ...fields)));
}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
