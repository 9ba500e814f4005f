import { readSnapshotDocument } from './stored-snapshot-document.ts';
import {
  type Db,
  findLatestSnapshotId,
  findUndeliveredSnapshots,
  markReleaseDelivered,
  markSnapshotDelivered,
  recordSnapshotDeliveryFailure,
  type SnapshotOutboxEntry,
} from '@rollcall/db';
import type { PublishDeps } from './publish-deps.ts';
import type { SnapshotDocument } from './snapshot-document.ts';
import {
  removeStaleTemporaryFiles,
  type SnapshotFilePaths,
  snapshotFilePaths,
  temporaryDirectoryOf,
  writeLatestSnapshotFiles,
  writeSnapshotFiles,
} from './snapshot-files.ts';
import { announceSnapshot, trimPublishedMessages } from './snapshot-published-message.ts';

/** What a drain did with one undelivered snapshot. */
export interface SnapshotDeliveryOutcome {
  readonly snapshotId: string;
  readonly forceId: string;
  readonly asOf: string;
  /** The files written; null when SNAPSHOT_DIR is not set or the delivery failed. */
  readonly files: SnapshotFilePaths | null;
  /** Why the delivery failed (the row stays undelivered); null when delivered. */
  readonly error: string | null;
}

export interface DrainSnapshotOutboxOptions {
  /** Only these forces' snapshots (publishing one force drains that force); all by default. */
  readonly forceIds?: readonly string[];
  /** Most snapshots delivered by one drain, oldest request first (default 500). */
  readonly limit?: number;
  /** Documents already in memory, by snapshot id (the one just published), to save reading them back. */
  readonly documents?: ReadonlyMap<string, SnapshotDocument>;
}

/** How many times `latest.*` is rewritten when newer snapshots keep committing meanwhile. */
const LATEST_REWRITE_ROUNDS = 5;

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

async function readDocument(
  db: Db,
  snapshotId: string,
  known: ReadonlyMap<string, SnapshotDocument> | undefined,
): Promise<SnapshotDocument> {
  const cached = known?.get(snapshotId);
  if (cached) return cached;
  return readSnapshotDocument(db, snapshotId, 'the outbox');
}

/**
 * Writes `latest.*` from the force's newest snapshot in the database, then looks again: if a newer
 * one committed meanwhile (another process, whose delivery may have written `latest` just before
 * this one did), it writes that one. The last process to write `latest` is thus always one that
 * saw the newest snapshot after writing, so a slow delivery of an older snapshot or revision
 * never leaves `latest` behind. Returns the id written.
 */
async function writeLatestFromDatabase(
  deps: PublishDeps,
  dir: string,
  forceId: string,
  known: ReadonlyMap<string, SnapshotDocument> | undefined,
): Promise<string | undefined> {
  let written: string | undefined;
  for (let round = 0; round < LATEST_REWRITE_ROUNDS; round++) {
    // An embargoed snapshot never reaches `latest.*` before its release, even a later date's.
    const newest = await findLatestSnapshotId(deps.db, forceId, { visibleAt: (deps.now ?? (() => new Date()))() });
    if (newest === undefined || newest === written) return written;
    await writeLatestSnapshotFiles(dir, await readDocument(deps.db, newest, known));
    written = newest;
  }
  // Still moving: the publications committing meanwhile write `latest` in their own delivery.
  return written;
}

/**
 * Delivers one snapshot: its JSON and CSV, `latest.*` of its force, then the message (after the
 * files, since the message names the file). Every step is idempotent, so a delivery interrupted
 * anywhere is simply done again.
 */
async function deliverSnapshot(
  deps: PublishDeps,
  entry: SnapshotOutboxEntry,
  known: ReadonlyMap<string, SnapshotDocument> | undefined,
): Promise<SnapshotFilePaths | null> {
  const document = await readDocument(deps.db, entry.snapshotId, known);
  let files: SnapshotFilePaths | null = null;
  if (deps.snapshotDir !== null) {
    files = await writeSnapshotFiles(deps.snapshotDir, document);
    const latest = await writeLatestFromDatabase(deps, deps.snapshotDir, entry.forceId, known);
    if (latest === document.snapshotId) {
      const paths = snapshotFilePaths(deps.snapshotDir, document);
      files = { ...files, latestJson: paths.latestJson, latestCsv: paths.latestCsv };
    }
  }
  if (deps.queues) await announceSnapshot(deps.queues, document, files?.json ?? null);
  return files;
}

/**
 * Removes the temporary files of file writes that died half-way (the process killed between
 * writing the temporary file and renaming it), once they are old enough not to be a write in
 * progress. Never fails the drain: a leftover costs disk space, not correctness.
 */
async function removeLeftoverTemporaryFiles(deps: PublishDeps, dir: string, now: Date): Promise<void> {
  const directory = temporaryDirectoryOf(dir);
  try {
    const removed = await removeStaleTemporaryFiles(directory, now);
    if (removed.length > 0) deps.log.info({ directory, removed }, 'temporary files of interrupted writes removed');
  } catch (err) {
    deps.log.warn({ err, directory }, 'could not remove the temporary files of interrupted writes');
  }
}

/**
 * Delivers the snapshots committed but not yet delivered (the outbox, migration
 * 2026-11-22-07): files in SNAPSHOT_DIR and the `snapshot.published` message. Called after every
 * publication (for its force), at scheduler start and at the start of every nightly run (for
 * all), so a snapshot whose process died after the commit is delivered by whichever comes next.
 * Each snapshot's failure is logged and recorded on its row, and does not stop the others; the
 * result lists every outcome. First it removes the temporary files interrupted writes left in
 * `<SNAPSHOT_DIR>/.tmp` (see STALE_TEMPORARY_FILE_MS); last it trims `snapshots.published` (see
 * PUBLISHED_MESSAGE_RETENTION_MS).
 */
export async function drainSnapshotOutbox(
  deps: PublishDeps,
  options: DrainSnapshotOutboxOptions = {},
): Promise<SnapshotDeliveryOutcome[]> {
  const now = deps.now ?? (() => new Date());
  // Embargoed snapshots wait in the outbox: their files and message go out from their release
  // time, at the first drain after it (the scheduler's release watch, a nightly run, its start).
  const pending = await findUndeliveredSnapshots(deps.db, {
    ...(options.forceIds !== undefined && { forceIds: options.forceIds }),
    limit: options.limit ?? 500,
    releasedBy: now(),
  });
  // File ages are the file system's clock (mtime), so the real time, not an injected `now`.
  if (deps.snapshotDir !== null) await removeLeftoverTemporaryFiles(deps, deps.snapshotDir, new Date());
  const outcomes: SnapshotDeliveryOutcome[] = [];
  for (const entry of pending) {
    const { snapshotId, forceId, asOf } = entry;
    try {
      const files = await deliverSnapshot(deps, entry, options.documents);
      const deliveredAt = now();
      await markSnapshotDelivered(deps.db, snapshotId, deliveredAt);
      if (await markReleaseDelivered(deps.db, forceId, asOf, deliveredAt))
        deps.log.info({ snapshotId, forceId, asOf }, 'scheduled release delivered');
      outcomes.push({ snapshotId, forceId, asOf, files, error: null });
    } catch (err) {
      const error = messageOf(err);
      deps.log.error(
        { err, snapshotId, forceId, asOf, attempt: entry.attempts + 1 },
        'snapshot files or message not written; the next drain retries',
      );
      await recordSnapshotDeliveryFailure(deps.db, snapshotId, error).catch((recordErr: unknown) =>
        deps.log.warn({ err: recordErr, snapshotId }, 'could not record the failed snapshot delivery'),
      );
      outcomes.push({ snapshotId, forceId, asOf, files: null, error });
    }
  }
  if (deps.queues) {
    try {
      const trimmed = await trimPublishedMessages(deps.queues);
      if (trimmed.length > 0) deps.log.info({ trimmed: trimmed.length }, 'old snapshot.published messages trimmed');
    } catch (err) {
      deps.log.warn({ err }, 'could not trim old snapshot.published messages');
    }
  }
  return outcomes;
}
