import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Db } from '@rollcall/db';
import pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { type CostMeasurement, startCostMeter } from './cost-meter.ts';

/** The tables the workers' write path fills, each row of which it has to make durable. */
export const FLOOR_TABLES = ['events', 'event_ids', 'entities', 'daily_aggregates', 'monthly_aggregates'] as const;

export interface TableFloor {
  readonly table: (typeof FLOOR_TABLES)[number];
  readonly rows: number;
  readonly cost: CostMeasurement;
}

/**
 * What PostgreSQL needs to make the write path's rows durable, and no more (issue 19 asks for a
 * write path that costs "a small multiple of what the database needs to make the rows durable").
 * Every row a run left in each table of `FLOOR_TABLES` is read back (`COPY ... TO STDOUT`) and
 * written again by one `COPY` into an empty table made like it, its indexes included, in a
 * transaction of its own; PostgreSQL's CPU and WAL are metered as for the run (`startCostMeter`:
 * the database's backends and the server's background processes) and divided by `events`, the
 * events the run stored.
 *
 * The write path writes more than this: an aggregate row is updated by every part that touches
 * its day, an entity is written again when a later job adds to it, and each part has its own
 * statements, locks and commit. The difference between the run's PostgreSQL figure and the sum of
 * these is what a cheaper write path could still save in PostgreSQL; the sum itself is what only
 * a schema with fewer or smaller rows could.
 */
export async function measureSchemaFloor(
  db: Db,
  databaseUrl: string,
  database: string,
  events: number,
): Promise<TableFloor[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  // A connection lost mid-query rejects the query; pg's 'error' event after it must not be uncaught.
  client.on('error', () => undefined);
  await client.connect();
  const floors: TableFloor[] = [];
  try {
    for (const table of FLOOR_TABLES) {
      const rows = await readAsCopyText(client, table);
      const copy = `floor_${table}`;
      await client.query(`drop table if exists ${copy}`);
      await client.query(`create table ${copy} (like ${table} including defaults including indexes)`);
      const meter = await startCostMeter(db, { database, rollcallPids: () => [] });
      await client.query('begin');
      await pipeline(Readable.from(rows.chunks), client.query(copyStreams.from(`copy ${copy} from stdin`)));
      await client.query('commit');
      floors.push({ table, rows: rows.count, cost: await meter.stop(events) });
      await client.query(`drop table ${copy}`);
    }
    return floors;
  } finally {
    await client.end();
  }
}

/** Every row of `table` (its partitions too) as COPY text, in memory: a simulated month is some 120 MB. */
async function readAsCopyText(client: pg.Client, table: string): Promise<{ chunks: Buffer[]; count: number }> {
  const chunks: Buffer[] = [];
  const stream = client.query(copyStreams.to(`copy (select * from ${table}) to stdout`));
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return { chunks, count: stream.rowCount };
}
