import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';

/** CSV field quoting for COPY ... (format csv). */
export const csvCell = (value: string): string => `"${value.replaceAll('"', '""')}"`;

/** One event as a CSV row of the baseline table: feed, id, type, force, time, body. */
export const copyRow = (event: {
  feed: string;
  eventId: string;
  type: string;
  forceId: string;
  occurredAt: string;
}): string =>
  `${event.feed},${csvCell(event.eventId)},${event.type},${event.forceId},${event.occurredAt},${csvCell(JSON.stringify(event))}\n`;

/**
 * The speed bar's upper baseline: a raw COPY of the same rows into an indexed table (primary key
 * on feed and event id, jsonb body), nothing else. Rows per second.
 */
export async function measureCopyBaseline(
  databaseUrl: string,
  csvPath: string,
  rows: number,
): Promise<{ rowsPerSecond: number; seconds: number }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  // A connection lost mid-query rejects the query; pg's 'error' event after it must not be uncaught.
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query('drop table if exists copy_baseline');
    await client.query(
      'create table copy_baseline (feed text, event_id text, type text, force_id text, occurred_at timestamptz, body jsonb, primary key (feed, event_id))',
    );
    const started = performance.now();
    await pipeline(
      createReadStream(csvPath),
      client.query(copyStreams.from('copy copy_baseline from stdin with (format csv)')),
    );
    const seconds = (performance.now() - started) / 1000;
    const counted = Number((await client.query<{ n: string }>('select count(*) as n from copy_baseline')).rows[0]?.n);
    if (counted !== rows) throw new Error(`COPY loaded ${counted} rows, expected ${rows}`);
    await client.query('drop table copy_baseline');
    return { rowsPerSecond: rows / seconds, seconds };
  } finally {
    await client.end();
  }
}
