import { type SelectQueryBuilder, sql } from 'kysely';
import type { Database, Db, DbOrTransaction } from './database.ts';
import { visibleAt } from './release-calendar.repository.ts';

export interface SnapshotHead {
  readonly forceId: string;
  readonly asOf: string;
  readonly snapshotId: string;
  readonly revision: number;
  readonly contentHash: string;
  readonly staleSince: Date | null;
  readonly staleLateEvents: number;
  readonly staleCorrectedEvents: number;
}

export interface StoredSnapshot {
  readonly snapshotId: string;
  readonly forceId: string;
  readonly asOf: string;
  readonly revision: number;
  readonly supersedes: string | null;
  readonly contentHash: string;
  readonly generatedAt: Date;
  /**
   * The published document (jsonb). Unknown here: its schema belongs to publishing, which parses
   * it (`parseSnapshotDocument`) rather than trusting a cast.
   */
  readonly document: unknown;
}

const toHead = (row: {
  force_id: string;
  as_of: string;
  snapshot_id: string;
  revision: number;
  content_hash: string;
  stale_since: Date | null;
  stale_late_events: number;
  stale_corrected_events: number;
}): SnapshotHead => ({
  forceId: row.force_id,
  asOf: row.as_of,
  snapshotId: row.snapshot_id,
  revision: row.revision,
  contentHash: row.content_hash,
  staleSince: row.stale_since,
  staleLateEvents: row.stale_late_events,
  staleCorrectedEvents: row.stale_corrected_events,
});

/** Serialises publication of one force and date (two nightly runs, or a run and an operator). */
export async function lockSnapshotKey(trx: DbOrTransaction, forceId: string, asOf: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`rollcall:snapshot:${forceId}:${asOf}`}, 0))`.execute(trx);
}

export async function findSnapshotHead(
  db: DbOrTransaction,
  forceId: string,
  asOf: string,
): Promise<SnapshotHead | undefined> {
  const row = await db
    .selectFrom('snapshot_heads')
    .selectAll()
    .where('force_id', '=', forceId)
    .where('as_of', '=', asOf)
    .executeTakeFirst();
  return row && toHead(row);
}

/** Heads whose inputs changed since publication, oldest date first. */
export async function findStaleSnapshotHeads(
  db: DbOrTransaction,
  forceIds?: readonly string[],
): Promise<SnapshotHead[]> {
  const rows = await db
    .selectFrom('snapshot_heads')
    .selectAll()
    .where('stale_since', 'is not', null)
    .$call((q) => (forceIds === undefined ? q : q.where('force_id', 'in', forceIds.length > 0 ? forceIds : [''])))
    .orderBy('as_of')
    .orderBy('force_id')
    .execute();
  return rows.map(toHead);
}

/** Inserts a new immutable snapshot and moves the head to it (clearing any stale mark). */
export async function insertSnapshot(trx: DbOrTransaction, snapshot: StoredSnapshot): Promise<void> {
  await trx
    .insertInto('snapshots')
    .values({
      snapshot_id: snapshot.snapshotId,
      force_id: snapshot.forceId,
      as_of: snapshot.asOf,
      revision: snapshot.revision,
      supersedes: snapshot.supersedes,
      content_hash: snapshot.contentHash,
      generated_at: snapshot.generatedAt,
      document: JSON.stringify(snapshot.document),
    })
    .execute();
  await trx
    .insertInto('snapshot_heads')
    .values({
      force_id: snapshot.forceId,
      as_of: snapshot.asOf,
      snapshot_id: snapshot.snapshotId,
      revision: snapshot.revision,
      content_hash: snapshot.contentHash,
    })
    .onConflict((oc) =>
      oc.columns(['force_id', 'as_of']).doUpdateSet({
        snapshot_id: snapshot.snapshotId,
        revision: snapshot.revision,
        content_hash: snapshot.contentHash,
        stale_since: null,
        stale_late_events: 0,
        stale_corrected_events: 0,
      }),
    )
    .execute();
}

/**
 * Rewrites an embargoed snapshot in place (same id and revision) and its head: late events before
 * release change the embargoed figures without a revision. The immutability trigger (migration
 * 13) lets the UPDATE through only while the release is still to come at `now`.
 */
export async function replaceEmbargoedSnapshot(
  trx: DbOrTransaction,
  snapshot: StoredSnapshot,
  now: Date,
): Promise<void> {
  // The clock the trigger judges "still to come" by: the publisher's, for this transaction only.
  await sql`select set_config('rollcall.release_clock', ${now.toISOString()}, true)`.execute(trx);
  await trx
    .updateTable('snapshots')
    .set({
      content_hash: snapshot.contentHash,
      generated_at: snapshot.generatedAt,
      document: JSON.stringify(snapshot.document),
    })
    .where('snapshot_id', '=', snapshot.snapshotId)
    .execute();
  await trx
    .updateTable('snapshot_heads')
    .set({ content_hash: snapshot.contentHash, stale_since: null, stale_late_events: 0, stale_corrected_events: 0 })
    .where('force_id', '=', snapshot.forceId)
    .where('as_of', '=', snapshot.asOf)
    .execute();
}

/** Clears a head's stale mark when republishing found nothing changed. */
export async function clearSnapshotHeadStale(trx: DbOrTransaction, forceId: string, asOf: string): Promise<void> {
  await trx
    .updateTable('snapshot_heads')
    .set({ stale_since: null, stale_late_events: 0, stale_corrected_events: 0 })
    .where('force_id', '=', forceId)
    .where('as_of', '=', asOf)
    .execute();
}

const toStored = (row: {
  snapshot_id: string;
  force_id: string;
  as_of: string;
  revision: number;
  supersedes: string | null;
  content_hash: string;
  generated_at: Date;
  document: Record<string, unknown>;
}): StoredSnapshot => ({
  snapshotId: row.snapshot_id,
  forceId: row.force_id,
  asOf: row.as_of,
  revision: row.revision,
  supersedes: row.supersedes,
  contentHash: row.content_hash,
  generatedAt: row.generated_at,
  document: row.document,
});

export async function findSnapshot(db: DbOrTransaction, snapshotId: string): Promise<StoredSnapshot | undefined> {
  const row = await db.selectFrom('snapshots').selectAll().where('snapshot_id', '=', snapshotId).executeTakeFirst();
  return row && toStored(row);
}

/**
 * The head revision of the latest as-of date of a force (or of any force); with `visibleAt`, of
 * the latest date not embargoed at that instant (release control, `visibleAt`).
 */
export async function findLatestSnapshot(
  db: DbOrTransaction,
  forceId?: string,
  options: { readonly visibleAt?: Date } = {},
): Promise<StoredSnapshot | undefined> {
  const row = await db
    .selectFrom('snapshot_heads as h')
    .innerJoin('snapshots as s', 's.snapshot_id', 'h.snapshot_id')
    .selectAll('s')
    .$call((q) => (forceId === undefined ? q : q.where('h.force_id', '=', forceId)))
    .$if(options.visibleAt !== undefined, (q) => q.where(visibleAt(options.visibleAt ?? new Date(), 'h')))
    .orderBy('h.as_of', 'desc')
    .orderBy('s.generated_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row && toStored(row);
}

export interface SnapshotListItem {
  readonly snapshotId: string;
  readonly forceId: string;
  readonly asOf: string;
  readonly revision: number;
  readonly supersedes: string | null;
  readonly generatedAt: Date;
  readonly isLatestRevision: boolean;
}

export interface SnapshotListQuery {
  /** Only these forces; every force when absent. */
  readonly forceIds?: readonly string[];
  readonly from?: string;
  readonly to?: string;
  /**
   * Leave out snapshots under embargo at this instant (a release calendar entry for their force
   * and date, not yet due), so pages and `total` count what the reader may see. Absent for
   * readers with pre-release access.
   */
  readonly embargoedAt?: Date;
}

/** Where the previous page of `listSnapshots` ended: its last item's position in the order. */
export interface SnapshotListPosition {
  readonly asOf: string;
  readonly forceId: string;
  readonly revision: number;
}

const listFilter = <Q extends SelectQueryBuilder<Database, 'snapshots', object>>(q: Q, query: SnapshotListQuery): Q =>
  q
    .$if(query.forceIds !== undefined, (b) =>
      b.where('snapshots.force_id', 'in', query.forceIds?.length ? [...(query.forceIds ?? [])] : ['']),
    )
    .$if(query.from !== undefined, (b) => b.where('snapshots.as_of', '>=', query.from ?? ''))
    .$if(query.to !== undefined, (b) => b.where('snapshots.as_of', '<=', query.to ?? ''))
    .$if(query.embargoedAt !== undefined, (b) =>
      b.where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('release_calendar as r')
              .select('r.force_id')
              .whereRef('r.force_id', '=', 'snapshots.force_id')
              .whereRef('r.as_of', '=', 'snapshots.as_of')
              .where('r.release_at', '>', query.embargoedAt ?? new Date(0)),
          ),
        ),
      ),
    ) as Q;

/**
 * Snapshots between two dates (all revisions), newest date first, then by force, then newest
 * revision first: a total order, so `after` (the last item of the previous page) pages through
 * without skipping or repeating a snapshot published meanwhile on an older date.
 */
export async function listSnapshots(
  db: Db,
  query: SnapshotListQuery & { limit?: number; after?: SnapshotListPosition },
): Promise<SnapshotListItem[]> {
  const after = query.after;
  const rows = await listFilter(db.selectFrom('snapshots'), query)
    .leftJoin('snapshot_heads as h', 'h.snapshot_id', 'snapshots.snapshot_id')
    .select([
      'snapshots.snapshot_id',
      'snapshots.force_id',
      'snapshots.as_of',
      'snapshots.revision',
      'snapshots.supersedes',
      'snapshots.generated_at',
      'h.snapshot_id as head',
    ])
    .$if(after !== undefined, (q) =>
      q.where(({ eb, or, and }) =>
        after === undefined
          ? and([])
          : or([
              eb('snapshots.as_of', '<', after.asOf),
              and([eb('snapshots.as_of', '=', after.asOf), eb('snapshots.force_id', '>', after.forceId)]),
              and([
                eb('snapshots.as_of', '=', after.asOf),
                eb('snapshots.force_id', '=', after.forceId),
                eb('snapshots.revision', '<', after.revision),
              ]),
            ]),
      ),
    )
    .orderBy('snapshots.as_of', 'desc')
    .orderBy('snapshots.force_id')
    .orderBy('snapshots.revision', 'desc')
    .limit(query.limit ?? 1_000)
    .execute();
  return rows.map((row) => ({
    snapshotId: row.snapshot_id,
    forceId: row.force_id,
    asOf: row.as_of,
    revision: row.revision,
    supersedes: row.supersedes,
    generatedAt: row.generated_at,
    isLatestRevision: row.head !== null,
  }));
}

/** Snapshots published (every revision) per force. */
export async function countSnapshotsByForce(db: DbOrTransaction): Promise<{ forceId: string; published: number }[]> {
  const rows = await db
    .selectFrom('snapshots')
    .select((eb) => ['force_id', eb.fn.countAll<string>().as('published')])
    .groupBy('force_id')
    .execute();
  return rows.map((row) => ({ forceId: row.force_id, published: Number(row.published) }));
}
/** How many snapshots `listSnapshots` pages through for the same filter. */
export async function countSnapshots(db: Db, query: SnapshotListQuery): Promise<number> {
  const row = await listFilter(db.selectFrom('snapshots'), query)
    .select((eb) => eb.fn.countAll<string>().as('total'))
    .executeTakeFirstOrThrow();
  return Number(row.total);
}
