import type { FeedEvent } from '@rollcall/contract';
import { Queue, QueueEvents, Worker } from 'bullmq';
import pg from 'pg';
import type { BenchContext } from './bench-context.ts';

/**
 * The speed bar's lower baseline: a naive pipeline, one job per event and one INSERT per event
 * (its own transaction), on the same Redis, database and machine, with eight jobs in flight. It
 * validates, dedupes and aggregates nothing, so it is a generous baseline.
 */
export async function measureNaiveBaseline(
  context: BenchContext,
  events: readonly FeedEvent[],
): Promise<{ eventsPerSecond: number; seconds: number }> {
  const prefix = `${context.env.QUEUE_PREFIX}-naive`;
  const queue = new Queue('naive', { connection: context.producer, prefix });
  const events$ = new QueueEvents('naive', {
    connection: context.producer.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true }),
    prefix,
  });
  const pool = new pg.Pool({ connectionString: context.databaseUrl, max: 8 });
  // An idle client's error goes to the pool's 'error' event; a checked-out one's to the query it rejects.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  await pool.query(
    'create table if not exists naive_events (feed text, event_id text, type text, force_id text, occurred_at timestamptz, body jsonb, primary key (feed, event_id))',
  );
  await pool.query('truncate naive_events');
  for (let i = 0; i < events.length; i += 1_000) {
    await queue.addBulk(
      events.slice(i, i + 1_000).map((event) => ({ name: 'event', data: event, opts: { removeOnComplete: true } })),
    );
  }
  await events$.waitUntilReady();
  let done = 0;
  const finished = new Promise<void>((resolve) =>
    events$.on('completed', () => {
      done += 1;
      if (done === events.length) resolve();
    }),
  );
  const started = performance.now();
  const worker = new Worker(
    'naive',
    async (job) => {
      const e = job.data as FeedEvent;
      await pool.query('insert into naive_events values ($1, $2, $3, $4, $5, $6) on conflict do nothing', [
        e.feed,
        e.eventId,
        e.type,
        e.forceId,
        e.occurredAt,
        JSON.stringify(e),
      ]);
    },
    {
      connection: context.producer.duplicate({ maxRetriesPerRequest: null, enableOfflineQueue: true }),
      prefix,
      concurrency: 8,
    },
  );
  await finished;
  const seconds = (performance.now() - started) / 1000;
  await worker.close();
  await events$.close();
  await queue.obliterate({ force: true });
  await queue.close();
  await pool.query('drop table naive_events');
  await pool.end();
  return { eventsPerSecond: events.length / seconds, seconds };
}
