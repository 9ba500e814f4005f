import { sql } from 'kysely';
import type { Kysely, Transaction } from 'kysely';
import { copyOutInSnapshot } from './copy-out.ts';
import type { Database, DbOrTransaction } from './database.ts';

import { setTransactionJitOff, setTransactionWorkMem } from './transaction-settings.ts';

/** One stored event as replay folds it: in entity order. */
export interface ReplayEventRow {
  readonly event_id: string;
  readonly type: string;
  /** `occurred_at` in epoch ms. */
  readonly at: number;
  readonly force_id: string;
  readonly entity_kind: string;
  readonly entity_id: string;
  readonly payload: Record<string, unknown>;
}

/**
 * One of `count` disjoint parts of a lane's entities, by a hash of the entity id, read on a
 * connection of its own. Lanes split the hash range into `lanes` equal ranges, each folded by a
 * thread of its own (`replayAggregates`); within a lane each part holds twice the entities of the
 * one before (1/15, 2/15, 4/15, 8/15 of them for 4): a lane folds its parts in turn, so the first
 * arrives after PostgreSQL has sorted a small part, and each later one is sorted while the one
 * before it is folded.
 */
export interface ReplayShard {
  readonly index: number;
  readonly count: number;
  /** The lane (default 0, of 1: the whole range). */
  readonly lane?: number;
  readonly lanes?: number;
}

/** The masked entity-id hashes (0 to 2^31 - 1) of a shard: [from, to), each null at an end of the range. */
export function replayShardHashes(shard: ReplayShard): { from: number | null; to: number | null } {
  const { index, count, lane = 0, lanes = 1 } = shard;
  if (!Number.isInteger(count) || count < 1 || count > 16 || !Number.isInteger(index) || index < 0 || index >= count)
    throw new RangeError(`replay shard ${index} of ${count}`);
  if (!Number.isInteger(lanes) || lanes < 1 || lanes > 16 || !Number.isInteger(lane) || lane < 0 || lane >= lanes)
    throw new RangeError(`replay lane ${lane} of ${lanes}`);
  const laneStart = Math.floor((2 ** 31 * lane) / lanes);
  const laneSize = Math.floor((2 ** 31 * (lane + 1)) / lanes) - laneStart;
  // Shard i starts at (2^i - 1) / (2^count - 1) of its lane: exact in doubles for count <= 16.
  const boundary = (i: number) => laneStart + Math.floor((laneSize * (2 ** i - 1)) / (2 ** count - 1));
  const first = index === 0 && lane === 0;
  const last = index === count - 1 && lane === lanes - 1;
  return {
    from: first ? null : boundary(index),
    to: last ? null : index === count - 1 ? laneStart + laneSize : boundary(index + 1),
  };
}

/** Stored events in all, counted exactly (a scan of every event). */
export async function countStoredEvents(db: DbOrTransaction): Promise<number> {
  const row = await db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * How many events are stored, as PostgreSQL's planner estimates it (from the statistics, or from
 * the tables' sizes where none were gathered): a progress total without a scan. Counting them
 * exactly scanned every event on a third connection while the first shards were sorted, 3 % of
 * a replay's CPU (issue 19); replay counts what it reads and reports that at the end.
 */
export async function estimateStoredEvents(db: DbOrTransaction): Promise<number> {
  const { rows } = await sql<{
    'QUERY PLAN': readonly { readonly Plan: { readonly 'Plan Rows': number } }[];
  }>`explain (format json) select from events`.execute(db);
  const estimate = rows[0]?.['QUERY PLAN'][0]?.Plan['Plan Rows'];
  return typeof estimate === 'number' && Number.isFinite(estimate) ? Math.max(0, Math.round(estimate)) : 0;
}

/**
 * Opens a replay in `trx`: replay's own lock, so replays run one at a time; a SHARE lock on
 * `events`, so ingest waits while replay runs and the stored events are stable (the workers
 * write aggregates only after storing events, so they wait too); room in memory for the joins
 * that write a replay's changes (hundreds of thousands of rows after an interpreter changed; the
 * events themselves are sorted on the shards' connections, in small runs: `copyOutInSnapshot`);
 * no JIT compilation
 * (`setTransactionJitOff`); and, when entities are rebuilt, the old entity state removed
 * (entities rebuilt from their events replace it entirely).
 */
export async function beginReplay(
  trx: Transaction<Database>,
  options: { readonly rebuildEntities: boolean },
): Promise<void> {
  // One replay at a time: a second waits here for the first to commit, then sees what it wrote.
  // Replay inserts the aggregate rows it found absent without an upsert (writeAggregateChanges).
  await sql`select pg_advisory_xact_lock(hashtextextended('rollcall:replay', 0))`.execute(trx);
  await sql`lock table events in share mode`.execute(trx);
  await setTransactionWorkMem(trx, 256);
  await setTransactionJitOff(trx);
  if (options.rebuildEntities) await trx.deleteFrom('entities').execute();
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
 * COPY's text is parsed here with no per-field type parsers. Shards split the same hash into
 * ranges, each sorted on a connection of its own.
 */
export async function* copyEventsInEntityOrder(
  db: Kysely<Database>,
  snapshot: string,
  shard: ReplayShard,
): AsyncGenerator<ReplayEventRow[]> {
  const { from, to } = replayShardHashes(shard);
  // COPY takes no parameters: the bounds are integers computed above.
  const hash = '(hashtext(entity_id) & 2147483647)';
  const bounds = [...(from === null ? [] : [`${hash} >= ${from}`]), ...(to === null ? [] : [`${hash} < ${to}`])];
  const where = bounds.length === 0 ? '' : `where ${bounds.join(' and ')}`;
  yield* copyOutInSnapshot(
    db,
    snapshot,
    // The instant in whole milliseconds through date_part's float (exact after rounding: stored
    // instants are whole milliseconds), not extract's numeric: a third of the scan's cost less.
    // No `feed`: it is the type's (`feedOfEventType`), and every column sorted along costs the
    // sort (the largest shard of the full bench without it: 5.8-5.9 s against 6.4-6.6 in psql).
    `select event_id, type, (date_part('epoch', occurred_at) * 1000)::bigint, force_id,
       entity_kind, entity_id, payload
     from events ${where}
     order by hashtext(entity_id), entity_id, entity_kind, force_id`,
    (field) => {
      const event_id = field();
      const type = field();
      const at = Number(field());
      const force_id = field();
      const entity_kind = field();
      const entity_id = field();
      const payload = field();
      // An event without a payload: null.
      return {
        event_id,
        type,
        at,
        force_id,
        entity_kind,
        entity_id,
        payload: payload === null ? null : JSON.parse(payload),
      } as ReplayEventRow;
    },
  );
}
