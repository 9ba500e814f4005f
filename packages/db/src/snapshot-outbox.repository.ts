import { sql } from 'kysely';
import type { DbOrTransaction } from './database.ts';
import { visibleAt } from './release-calendar.repository.ts';

/** A snapshot whose files and `snapshot.published` message are still to be written. */
export interface SnapshotOutboxEntry {
  readonly snapshotId: string;
  readonly forceId: string;
  readonly asOf: string;
  readonly enqueuedAt: Date;
  /** Failed delivery attempts so far. */
  readonly attempts: number;
  readonly lastError: string | null;
}

/**
 * Asks for a snapshot's delivery. Called in the transaction that inserts the snapshot, so the
 * request commits with it or not at all; called again for a delivered snapshot (its files went
 * missing), it makes the row undelivered once more.
 */
export async function enqueueSnapshotDelivery(
  db: DbOrTransaction,
  snapshot: { readonly snapshotId: string; readonly forceId: string; readonly asOf: string },
): Promise<void> {
  await sql`
    insert into snapshot_outbox (snapshot_id, force_id, as_of) values (${snapshot.snapshotId}, ${snapshot.forceId}, ${snapshot.asOf})
    on conflict (snapshot_id) do update set delivered_at = null, enqueued_at = now(), attempts = 0, last_error = null
    where snapshot_outbox.delivered_at is not null`.execute(db);
}

/**
 * Undelivered snapshots, oldest request first (of the given forces, or of all); with `releasedBy`,
 * only those not embargoed at that instant (an embargoed snapshot's files and message wait for
 * its release).
 */
export async function findUndeliveredSnapshots(
  db: DbOrTransaction,
  options: { readonly forceIds?: readonly string[]; readonly limit: number; readonly releasedBy?: Date },
): Promise<SnapshotOutboxEntry[]> {
  const rows = await db
    .selectFrom('snapshot_outbox')
    .select(['snapshot_id', 'force_id', 'as_of', 'enqueued_at', 'attempts', 'last_error'])
    .where('delivered_at', 'is', null)
    .$call((q) =>
      options.forceIds === undefined
        ? q
        : q.where('force_id', 'in', options.forceIds.length > 0 ? options.forceIds : ['']),
    )
    .$if(options.releasedBy !== undefined, (q) =>
      q.where(visibleAt(options.releasedBy ?? new Date(), 'snapshot_outbox')),
    )
    .orderBy('enqueued_at')
    .orderBy('snapshot_id')
    .limit(options.limit)
    .execute();
  return rows.map((row) => ({
    snapshotId: row.snapshot_id,
    forceId: row.force_id,
    asOf: row.as_of,
    enqueuedAt: row.enqueued_at,
    attempts: row.attempts,
    lastError: row.last_error,
  }));
}

/** Records the delivery; false when the row was already delivered (by a concurrent drain). */
export async function markSnapshotDelivered(db: DbOrTransaction, snapshotId: string, at: Date): Promise<boolean> {
  const result = await db
    .updateTable('snapshot_outbox')
    .set({ delivered_at: at, last_error: null })
    .where('snapshot_id', '=', snapshotId)
    .where('delivered_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** Records a failed attempt; the row stays undelivered for the next drain. */
export async function recordSnapshotDeliveryFailure(
  db: DbOrTransaction,
  snapshotId: string,
  error: string,
): Promise<void> {
  await db
    .updateTable('snapshot_outbox')
    .set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: error }))
    .where('snapshot_id', '=', snapshotId)
    .where('delivered_at', 'is', null)
    .execute();
}

/**
 * The id of a force's newest snapshot: the head revision of its latest as-of date, as
 * `findLatestSnapshot` orders them, without reading the document. What `latest.*` must hold
 * (with `visibleAt`: the newest not embargoed at that instant).
 */
export async function findLatestSnapshotId(
  db: DbOrTransaction,
  forceId: string,
  options: { readonly visibleAt?: Date } = {},
): Promise<string | undefined> {
  const row = await db
    .selectFrom('snapshot_heads')
    .select('snapshot_id')
    .where('force_id', '=', forceId)
    .$if(options.visibleAt !== undefined, (q) => q.where(visibleAt(options.visibleAt ?? new Date(), 'snapshot_heads')))
    .orderBy('as_of', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.snapshot_id;
}

/** The outbox as monitoring sees it: what is owed, and what failed when it was tried. */
export interface SnapshotOutboxSummary {
  /** Snapshots committed whose files or message are not delivered yet. */
  readonly undelivered: number;
  /** Of those, the ones whose last delivery attempt failed (`attempts` > 0). */
  readonly failingCount: number;
  /** The failing ones, oldest request first, at most `failingShown`. */
  readonly failing: readonly SnapshotOutboxEntry[];
}

/**
 * Counts the undelivered rows and reads the oldest failing ones. A delivery that failed stays
 * failing until a drain delivers it (marked delivered) or a new request resets it; both queries
 * use the partial index on undelivered rows, so they cost nothing while the outbox is empty.
 */
export async function summariseSnapshotOutbox(
  db: DbOrTransaction,
  options: { readonly failingShown: number },
): Promise<SnapshotOutboxSummary> {
  const [counts, failing] = await Promise.all([
    db
      .selectFrom('snapshot_outbox')
      .select((eb) => [
        eb.fn.countAll<string>().as('undelivered'),
        sql<string>`count(*) filter (where ${eb.ref('attempts')} > 0)`.as('failing'),
      ])
      .where('delivered_at', 'is', null)
      .executeTakeFirstOrThrow(),
    options.failingShown < 1
      ? Promise.resolve([])
      : db
          .selectFrom('snapshot_outbox')
          .select(['snapshot_id', 'force_id', 'as_of', 'enqueued_at', 'attempts', 'last_error'])
          .where('delivered_at', 'is', null)
          .where('attempts', '>', 0)
          .orderBy('enqueued_at')
          .orderBy('snapshot_id')
          .limit(options.failingShown)
          .execute(),
  ]);
  return {
    // count(*) is bigint, which pg returns as a string.
    undelivered: Number(counts.undelivered),
    failingCount: Number(counts.failing),
    failing: failing.map((row) => ({
      snapshotId: row.snapshot_id,
      forceId: row.force_id,
      asOf: row.as_of,
      enqueuedAt: row.enqueued_at,
      attempts: row.attempts,
      lastError: row.last_error,
    })),
  };
}
