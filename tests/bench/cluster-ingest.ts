import { loadConfig } from '@rollcall/config';
import { type Db, ensureMonthPartitions, MONTH_PARTITIONED_TABLES } from '@rollcall/db';
import { FEEDS } from '@rollcall/contract';
import { createLogger } from '@rollcall/logger';
import { createTopologyConnection, feedQueueName, QueueFactory, waitForRedisReady } from '@rollcall/queue';
import { startRedisCluster } from '@rollcall/testing/redis-servers';
import { BENCH_DATABASE, BENCH_PREFIX, BENCH_PSEUDONYM_KEY, recreateBenchDatabase } from './bench-context.ts';
import { benchMonths, countEvents } from './bench-events.ts';
import { measureRollcallIngest, startWorkerProcess } from './rollcall-ingest.ts';

export const BENCH_CLUSTER_DATABASE = `${BENCH_DATABASE}_cluster`;

/**
 * Sustained ingest on a Redis Cluster (three primaries, three replicas, started for the run by
 * `startRedisCluster`), measured exactly as on one server: the same months queued first in jobs
 * of 1,000, then `workerProcesses` worker processes (the bundle, as deployed) with the cluster's
 * `REDIS_CLUSTER_NODES`, the clock running until every queue is drained. Its own database
 * (`<BENCH_NAME>_cluster`, recreated), so both runs start from empty tables.
 */
export async function measureClusterIngest(options: {
  readonly serverDatabaseUrl: string;
  readonly months: readonly string[];
  readonly workerProcesses: number;
  readonly concurrency: number;
  /** Months given a partition before the run, as on one server. */
  readonly partitionMonths: readonly string[];
  readonly say: (text: string) => void;
}) {
  const servers = await startRedisCluster({ nodeTimeoutMs: 5_000 });
  const { databaseUrl, db } = await recreateBenchDatabase(options.serverDatabaseUrl, BENCH_CLUSTER_DATABASE);
  await ensureBenchPartitions(db, options.partitionMonths);
  const env = {
    DATABASE_URL: databaseUrl,
    ...servers.env,
    QUEUE_PREFIX: BENCH_PREFIX,
    PSEUDONYM_KEY: BENCH_PSEUDONYM_KEY,
    LOG_LEVEL: 'warn',
  };
  const config = loadConfig(env);
  const log = createLogger({ service: 'bench', level: 'warn', destination: 'stderr' });
  const producer = createTopologyConnection(config.redis, { role: 'producer', log });
  const queues = new QueueFactory({ connection: producer, prefix: config.queuePrefix, log });
  try {
    await waitForRedisReady(producer);
    let offered = 0;
    for (const { month, byFeed } of benchMonths(options.months)) {
      for (const feed of FEEDS) {
        const events = byFeed[feed];
        for (let i = 0; i < events.length; i += 1_000)
          await queues.add('feed-batch', feedQueueName(feed), { events: events.slice(i, i + 1_000) });
      }
      offered += countEvents(byFeed);
      options.say(`queued ${month} on the Redis Cluster: ${offered.toLocaleString('en-GB')} events so far`);
    }
    const ingest = await measureRollcallIngest({ db, queues }, offered, () =>
      Array.from({ length: options.workerProcesses }, () => startWorkerProcess({ env }, options.concurrency)),
    );
    const workerPeakRssMb = Math.max(...ingest.processes.map((p) => p.peakRssMb()));
    await Promise.all(ingest.processes.map((p) => p.stop()));
    return {
      eventsPerSecond: ingest.eventsPerSecond,
      seconds: ingest.seconds,
      accounting: ingest.accounting,
      workerPeakRssMb,
    };
  } finally {
    await queues.close();
    producer.disconnect();
    await db.destroy();
    await servers.stop();
  }
}

/** The month partitions of every month a bench run writes, in both partitioned tables. */
export async function ensureBenchPartitions(db: Db, months: readonly string[]): Promise<void> {
  for (const table of MONTH_PARTITIONED_TABLES) await ensureMonthPartitions(db, table, months, 'Europe/London');
}
