import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createDatabase, type Db, loadReferenceIntoDatabase, migrateToLatest } from '@rollcall/db';
import { createLogger, type Logger } from '@rollcall/logger';
import {
  createRedisConnection,
  PostgresQueueStore,
  QueueFactory,
  queueSchemaFor,
  waitForQueueConnection,
  waitForRedisReady,
} from '@rollcall/queue';
import { loadReferenceData } from '@rollcall/reference';
import { deleteKeysWithPrefix } from '@rollcall/queue';
import { resolveBackingServices } from '@rollcall/backing-services';
import type { Redis } from 'ioredis';
import pg from 'pg';

/**
 * The benchmark's database, recreated on each run; `BENCH_NAME` gives a run names of its own, so
 * two checkouts benchmarking on one machine do not drop each other's database or queues.
 */
export const BENCH_DATABASE = process.env.BENCH_NAME ?? 'rollcall_bench';
if (!/^[a-z][a-z0-9_]*$/.test(BENCH_DATABASE)) throw new Error('BENCH_NAME: lowercase letters, digits and _');
export const BENCH_PREFIX = BENCH_DATABASE.replaceAll('_', '-');
export const BENCH_PSEUDONYM_KEY = 'bench-only-key-never-use-for-real-person-data';

export interface BenchContext {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  readonly db: Db;
  readonly producer: Redis;
  readonly queues: QueueFactory;
  readonly log: Logger;
  /** Where the benchmark writes its files (var/bench). */
  readonly dir: string;
  /** Environment for a worker or CLI process started by the benchmark. */
  readonly env: Record<string, string>;
  close(): Promise<void>;
}

/** What the queue-path figures (ingest, freshness, replay) need: any queue backend. */
export type QueueBenchContext = Pick<BenchContext, 'databaseUrl' | 'db' | 'queues' | 'env' | 'dir' | 'close'>;

/** Drops and creates `name` on the server of `serverUrl`, migrated, with the reference data. */
export async function recreateBenchDatabase(serverUrl: string, name: string): Promise<{ databaseUrl: string; db: Db }> {
  await withServerAdmin(serverUrl, async (client) => {
    // Quoted: a name may be a reserved word (BENCH_NAME=full); it is checked to be lower case above.
    await client.query(`drop database if exists "${name}" with (force)`);
    await client.query(`create database "${name}"`);
  });
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const db = createDatabase(databaseUrl, { maxConnections: 12, applicationName: 'rollcall-bench' });
  await migrateToLatest(db);
  await loadReferenceIntoDatabase(db, loadReferenceData());
  return { databaseUrl, db };
}

/**
 * A copy of the database of `databaseUrl` as it is now, named `name` (dropped first if there), with
 * a pool of its own: for a figure measured on two states of one database in the same minutes, on a
 * machine whose speed drifts between minutes. PostgreSQL copies only a database nobody is
 * connected to, so the source's connections are ended first (the bench's own pool is idle then and
 * connects again on its next query). Copied file by file, not block by block through the WAL.
 */
export async function copyBenchDatabase(databaseUrl: string, name: string): Promise<{ databaseUrl: string; db: Db }> {
  const source = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  if (!/^[a-z][a-z0-9_]*$/.test(name)) throw new Error(`copyBenchDatabase: ${name} is not a plain identifier`);
  await withServerAdmin(databaseUrl, async (client) => {
    await client.query(`drop database if exists "${name}" with (force)`);
    for (let attempt = 1; ; attempt++) {
      await client.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [source]);
      try {
        await client.query(`create database "${name}" template "${source}" strategy file_copy`);
        return;
      } catch (error) {
        // 55006: "source database is being accessed by other users" (a connection ending, or a new one).
        if ((error as { code?: string }).code !== '55006' || attempt === 5) throw error;
      }
    }
  });
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  const copy = url.toString();
  return { databaseUrl: copy, db: createDatabase(copy, { maxConnections: 4, applicationName: 'rollcall-bench' }) };
}

/** Drops a database made by `copyBenchDatabase`. */
export async function dropBenchDatabase(databaseUrl: string): Promise<void> {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  await withServerAdmin(databaseUrl, (client) => client.query(`drop database if exists "${name}" with (force)`));
}

/** Runs `work` on a connection to the `postgres` database of the server of `url`, then ends it. */
async function withServerAdmin(url: string, work: (client: pg.Client) => Promise<unknown>): Promise<void> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  // A connection lost mid-query rejects the query; pg's 'error' event after it must not be uncaught.
  client.on('error', () => undefined);
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

/**
 * The same as `openBenchContext`, with the queues in PostgreSQL (QUEUE_BACKEND=postgres): a
 * database of its own on the same server, the queues in its schema, Redis not used.
 */
export async function openPostgresQueueBenchContext(serverUrl: string): Promise<QueueBenchContext> {
  const { databaseUrl, db } = await recreateBenchDatabase(serverUrl, `${BENCH_DATABASE}_pgq`);
  const log = createLogger({ service: 'bench', level: 'warn', destination: 'stderr' });
  const producer = new PostgresQueueStore(databaseUrl, queueSchemaFor(BENCH_PREFIX));
  await waitForQueueConnection(producer, 30_000);
  const queues = new QueueFactory({ connection: producer, prefix: BENCH_PREFIX, log });
  return {
    databaseUrl,
    db,
    queues,
    dir: resolve('var/bench'),
    env: {
      DATABASE_URL: databaseUrl,
      QUEUE_BACKEND: 'postgres',
      QUEUE_PREFIX: BENCH_PREFIX,
      PSEUDONYM_KEY: BENCH_PSEUDONYM_KEY,
      LOG_LEVEL: 'warn',
    },
    close: async () => {
      await queues.close();
      await producer.close();
      await db.destroy();
    },
  };
}

/**
 * A database and queue prefix of the benchmark's own, recreated on every run so that figures do
 * not depend on what an earlier run left behind, on the same PostgreSQL and Redis as everything else.
 */
export async function openBenchContext(): Promise<BenchContext> {
  const services = await resolveBackingServices({
    allowContainers: true,
    onProgress: (message) => console.error(message),
  });
  const { databaseUrl, db } = await recreateBenchDatabase(services.databaseUrl, BENCH_DATABASE);
  const log = createLogger({ service: 'bench', level: 'warn', destination: 'stderr' });
  const producer = createRedisConnection(services.redisUrl, { role: 'producer', log });
  await waitForRedisReady(producer);
  await deleteKeysWithPrefix(producer, BENCH_PREFIX);
  const queues = new QueueFactory({ connection: producer, prefix: BENCH_PREFIX, log });
  const dir = resolve('var/bench');
  await mkdir(dir, { recursive: true });
  return {
    databaseUrl,
    redisUrl: services.redisUrl,
    db,
    producer,
    queues,
    log,
    dir,
    env: {
      DATABASE_URL: databaseUrl,
      REDIS_URL: services.redisUrl,
      QUEUE_PREFIX: BENCH_PREFIX,
      PSEUDONYM_KEY: BENCH_PSEUDONYM_KEY,
      LOG_LEVEL: 'warn',
    },
    close: async () => {
      await queues.close();
      await deleteKeysWithPrefix(producer, BENCH_PREFIX);
      producer.disconnect();
      await db.destroy();
      await services.stop();
    },
  };
}
