import { sql } from 'kysely';
import type { Kysely, Transaction } from 'kysely';
import copyStreams from 'pg-copy-streams';
import { connectOutsidePool } from './create-database.ts';
import type { Database, DbOrTransaction } from './database.ts';

const copyTo = copyStreams.to;
import { setTransactionWorkMem } from './transaction-settings.ts';

/** One stored event as replay folds it: in entity order. */
export interface ReplayEventRow {
  readonly event_id: string;
  readonly type: string;
  /** `occurred_at` in epoch ms. */
  readonly at: number;
  readonly force_id: string;
  readonly entity_kind: string;
  readonly entity_id: string;
  readonly feed: string;
  readonly payload: Record<string, unknown>;
}

/** One of `count` disjoint parts of the entities (by a hash of the entity id), read on a connection of its own. */
export interface ReplayShard {
  readonly index: number;
  readonly count: number;
}

/** Stored events in all, for progress totals. */
export async function countStoredEvents(db: DbOrTransaction): Promise<number> {
  const row = await db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * Opens a replay in `trx`: a SHARE lock on `events`, so ingest waits while replay runs and the
 * stored events are stable; enough sort memory to keep the entity-ordered scan off disk for
 * millions of events; and, when entities are rebuilt, the old entity state removed (entities
 * rebuilt from their events replace it entirely). Returns how many events will be read.
 */
export async function beginReplay(
  trx: Transaction<Database>,
  options: { readonly rebuildEntities: boolean },
): Promise<number> {
  await sql`lock table events in share mode`.execute(trx);
  await setTransactionWorkMem(trx, 256);
  if (options.rebuildEntities) await trx.deleteFrom('entities').execute();
  return countStoredEvents(trx);
}

/**
 * Names the snapshot of `trx` (`pg_export_snapshot`), for `copyEventsInEntityOrder` to read
 * exactly the events `trx` sees, on other connections. Valid while `trx` is open.
 */
export async function exportReplaySnapshot(trx: Transaction<Database>): Promise<string> {
  const { rows } = await sql<{ snapshot: string }>`select pg_export_snapshot() as snapshot`.execute(trx);
  const snapshot = rows[0]?.snapshot;
  if (snapshot === undefined) throw new Error('pg_export_snapshot returned no row');
  return snapshot;
}

/**
 * The stored events of one entity shard, every entity's events together, read in the exported
 * `snapshot` on a connection of its own with `COPY (...) TO STDOUT`, and handed out a network
 * chunk at a time (some 64 kB, a few hundred rows). Memory holds the chunk, whatever the table size.
 *
 * Why this shape (issue 19, measured on 139,000 events): the cursor's sort by (force, kind,
 * entity) cost PostgreSQL 4.4 CPU-µs per event, 3 of them the sort, as the ids share long
 * prefixes and the texts compare by collation; sorting by the int hash of the entity id first
 * (the id, kind and force only break ties, so an entity's events stay together) costs 3.1.
 * COPY's text is parsed here with no per-field type parsers. Shards split the same hash, so
 * several connections sort and send at once; each sorts only its own events.
 */
export async function* copyEventsInEntityOrder(
  db: Kysely<Database>,
  snapshot: string,
  shard: ReplayShard,
): AsyncGenerator<ReplayEventRow[]> {
  const { index, count } = shard;
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count)
    throw new RangeError(`replay shard ${index} of ${count}`);
  if (!/^[0-9A-F-]+$/i.test(snapshot)) throw new RangeError(`not a snapshot name: ${snapshot}`);
  const client = await connectOutsidePool(db);
  try {
    await client.query('begin isolation level repeatable read read only');
    await client.query(`set transaction snapshot '${snapshot}'`);
    // Sort memory for a shard of millions of events; and no parallel workers: the shards are the
    // parallelism, and workers on top of them only contend for the same cores.
    await client.query(`set local work_mem = '256MB'; set local max_parallel_workers_per_gather = 0`);
    // COPY takes no parameters: the shard numbers are checked integers above.
    const where = count === 1 ? '' : `where (hashtext(entity_id) & 2147483647) % ${count} = ${index}`;
    const stream = client.query(
      copyTo(`copy (select event_id, type, floor(extract(epoch from occurred_at) * 1000)::bigint, force_id,
          entity_kind, entity_id, feed, body -> 'payload'
        from events ${where}
        order by hashtext(entity_id), entity_id, entity_kind, force_id) to stdout`),
    );
    let carry: Buffer | undefined;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const bytes = carry === undefined ? chunk : Buffer.concat([carry, chunk]);
      // Rows end in \n (a \n inside a value is written as \\n); a chunk may end mid-row.
      const end = bytes.lastIndexOf(10);
      if (end < 0) {
        carry = bytes;
        continue;
      }
      carry = end + 1 < bytes.length ? bytes.subarray(end + 1) : undefined;
      yield parseCopyRows(bytes.toString('utf8', 0, end + 1));
    }
    if (carry !== undefined) throw new Error('replay: COPY output ended mid-row');
    await client.query('commit');
  } finally {
    await client.end();
  }
}

/** Rows of COPY's text format, each ending in \n, into replay rows (columns as selected above). */
function parseCopyRows(text: string): ReplayEventRow[] {
  const escaped = text.includes('\\');
  const rows: ReplayEventRow[] = [];
  let at = 0;
  const field = (stop: number): string => {
    const end = text.indexOf(stop === 10 ? '\n' : '\t', at);
    const value = text.slice(at, end);
    at = end + 1;
    return escaped ? unescapeCopyText(value) : value;
  };
  while (at < text.length) {
    const event_id = field(9);
    const type = field(9);
    const occurred = Number(field(9));
    const force_id = field(9);
    const entity_kind = field(9);
    const entity_id = field(9);
    const feed = field(9);
    const payload = field(10);
    rows.push({
      event_id,
      type,
      at: occurred,
      force_id,
      entity_kind,
      entity_id,
      feed,
      // A body without a payload: null, as `body -> 'payload'` is.
      payload: payload === '\\N' ? null : JSON.parse(payload),
    } as ReplayEventRow);
  }
  return rows;
}

const COPY_ESCAPES: Readonly<Record<string, string>> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** COPY TO's text escapes undone: a backslash before b f n r t v, or before itself. `\N` (null) is left as it is. */
function unescapeCopyText(value: string): string {
  if (!value.includes('\\') || value === '\\N') return value;
  return value.replace(/\\(.)/g, (_, c: string) => COPY_ESCAPES[c] ?? c);
}
