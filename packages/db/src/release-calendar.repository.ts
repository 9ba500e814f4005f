import { sql } from 'kysely';
import type { DbOrTransaction } from './database.ts';

/** One pre-announced release of a force's snapshot for a date (`release_calendar`). */
export interface ReleaseEntry {
  readonly forceId: string;
  readonly asOf: string;
  /** The pre-announced instant: before it, the snapshot is embargoed. */
  readonly releaseAt: Date;
  /** The zone the time was announced in (`Europe/London`). */
  readonly timeZone: string;
  readonly announcedAt: Date;
  /** When its files and `snapshots.published` message were delivered; null until then. */
  readonly releasedAt: Date | null;
}

const toEntry = (row: {
  force_id: string;
  as_of: string;
  release_at: Date;
  time_zone: string;
  announced_at: Date;
  released_at: Date | null;
}): ReleaseEntry => ({
  forceId: row.force_id,
  asOf: row.as_of,
  releaseAt: row.release_at,
  timeZone: row.time_zone,
  announcedAt: row.announced_at,
  releasedAt: row.released_at,
});

const COLUMNS = ['force_id', 'as_of', 'release_at', 'time_zone', 'announced_at', 'released_at'] as const;

/** `<forceId>|<asOf>`: how embargoes are keyed in memory. */
export const releaseKeyOf = (snapshot: { readonly forceId: string; readonly asOf: string }): string =>
  `${snapshot.forceId}|${snapshot.asOf}`;

/**
 * THE visibility predicate (issue 17): a snapshot row (table alias `alias`, with `force_id` and
 * `as_of`) is visible at `at` unless its force and date have a release still to come. Every
 * reader that hides embargoed snapshots uses this one expression, so they all open at the same
 * instant, and nothing has to be switched on at release time.
 */
export const visibleAt = (at: Date, alias: string) =>
  sql<boolean>`not exists (select 1 from release_calendar r where r.force_id = ${sql.ref(`${alias}.force_id`)}
    and r.as_of = ${sql.ref(`${alias}.as_of`)} and r.release_at > ${at})`;

export async function readRelease(
  db: DbOrTransaction,
  forceId: string,
  asOf: string,
): Promise<ReleaseEntry | undefined> {
  const row = await db
    .selectFrom('release_calendar')
    .select(COLUMNS)
    .where('force_id', '=', forceId)
    .where('as_of', '=', asOf)
    .executeTakeFirst();
  return row && toEntry(row);
}

/** Announces (or moves, while still to come) a release; the caller has checked the rules. */
export async function upsertRelease(
  db: DbOrTransaction,
  release: {
    readonly forceId: string;
    readonly asOf: string;
    readonly releaseAt: Date;
    readonly timeZone: string;
    readonly announcedAt: Date;
  },
): Promise<ReleaseEntry> {
  const row = await db
    .insertInto('release_calendar')
    .values({
      force_id: release.forceId,
      as_of: release.asOf,
      release_at: release.releaseAt,
      time_zone: release.timeZone,
      announced_at: release.announcedAt,
    })
    .onConflict((oc) =>
      oc
        .columns(['force_id', 'as_of'])
        .doUpdateSet({ release_at: release.releaseAt, time_zone: release.timeZone, announced_at: release.announcedAt }),
    )
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
  return toEntry(row);
}

/** Every release of the calendar (of one force, or all), by release time. */
export async function listReleases(db: DbOrTransaction, forceId?: string): Promise<ReleaseEntry[]> {
  const rows = await db
    .selectFrom('release_calendar')
    .select(COLUMNS)
    .$if(forceId !== undefined, (q) => q.where('force_id', '=', forceId ?? ''))
    .orderBy('release_at')
    .orderBy('force_id')
    .execute();
  return rows.map(toEntry);
}

/** Which of these force-and-date keys are embargoed at `at` (their release still to come). */
export async function findEmbargoedKeys(
  db: DbOrTransaction,
  snapshots: readonly { readonly forceId: string; readonly asOf: string }[],
  at: Date,
): Promise<Set<string>> {
  if (snapshots.length === 0) return new Set();
  const forces = [...new Set(snapshots.map((snapshot) => snapshot.forceId))];
  const dates = [...new Set(snapshots.map((snapshot) => snapshot.asOf))];
  const rows = await db
    .selectFrom('release_calendar')
    .select(['force_id', 'as_of'])
    .where('force_id', 'in', forces)
    .where('as_of', 'in', dates)
    .where('release_at', '>', at)
    .execute();
  return new Set(rows.map((row) => releaseKeyOf({ forceId: row.force_id, asOf: row.as_of })));
}

/**
 * Releases due at `at` whose files and message have not been delivered: missed (the scheduler
 * was down) or about to be delivered. Through the partial index on undelivered releases.
 */
export async function findDueUnreleased(db: DbOrTransaction, at: Date): Promise<ReleaseEntry[]> {
  const rows = await db
    .selectFrom('release_calendar')
    .select(COLUMNS)
    .where('released_at', 'is', null)
    .where('release_at', '<=', at)
    .orderBy('release_at')
    .execute();
  return rows.map(toEntry);
}

/** Releases delivered since `since` (for the late-release warning), by release time. */
export async function findReleasedSince(db: DbOrTransaction, since: Date): Promise<ReleaseEntry[]> {
  const rows = await db
    .selectFrom('release_calendar')
    .select(COLUMNS)
    .where('released_at', '>=', since)
    .orderBy('release_at')
    .execute();
  return rows.map(toEntry);
}

/** Records that a release's files and message went out; false when none is due or it was already recorded. */
export async function markReleaseDelivered(
  db: DbOrTransaction,
  forceId: string,
  asOf: string,
  at: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('release_calendar')
    .set({ released_at: at })
    .where('force_id', '=', forceId)
    .where('as_of', '=', asOf)
    .where('released_at', 'is', null)
    .where('release_at', '<=', at)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

/** One fetch of an embargoed snapshot by a `pre-release` token. */
export interface PreReleaseAccess {
  readonly tokenName: string;
  readonly snapshotId: string;
  readonly forceId: string;
  readonly asOf: string;
  readonly what: string;
  /** The figures seen; null for a list (ids and dates only). */
  readonly contentHash: string | null;
  readonly accessedAt: Date;
}

export async function recordPreReleaseAccess(db: DbOrTransaction, rows: readonly PreReleaseAccess[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('pre_release_access')
    .values(
      rows.map((row) => ({
        token_name: row.tokenName,
        snapshot_id: row.snapshotId,
        force_id: row.forceId,
        as_of: row.asOf,
        what: row.what,
        content_hash: row.contentHash,
        accessed_at: row.accessedAt,
      })),
    )
    .execute();
}

/** The access log of a force and date, oldest first. */
export async function readPreReleaseAccess(
  db: DbOrTransaction,
  forceId: string,
  asOf: string,
): Promise<PreReleaseAccess[]> {
  const rows = await db
    .selectFrom('pre_release_access')
    .selectAll()
    .where('force_id', '=', forceId)
    .where('as_of', '=', asOf)
    .orderBy('accessed_at')
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    tokenName: row.token_name,
    snapshotId: row.snapshot_id,
    forceId: row.force_id,
    asOf: row.as_of,
    what: row.what,
    contentHash: row.content_hash,
    accessedAt: row.accessed_at,
  }));
}
