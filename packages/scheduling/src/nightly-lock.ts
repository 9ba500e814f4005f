import { acquireSessionLock, type Database, type Db, LOCK_NOT_AVAILABLE, releaseSessionLock } from '@rollcall/db';
import type { Kysely } from 'kysely';
import { NightlyRunBusyError } from './nightly-errors.ts';

/** Advisory locks are per database, so runs of different databases (test files) never meet. */
const LOCK_KEY = 'rollcall:nightly-run';

export interface NightlyLockOptions {
  /** How long to wait for a run in progress to finish, in ms (default 60 000). */
  readonly waitMs?: number;
}

/**
 * Runs `fn` holding the nightly lock: a session advisory lock on one pooled connection, which
 * `fn` receives and should use for its ledger statements. One nightly run at a time, across
 * processes: a second fire waits for the first (up to `waitMs`, then NightlyRunBusyError) and
 * then finds its dates done. If the holder dies, PostgreSQL drops the lock with its connection,
 * which is how the next holder knows any `running` row it sees is orphaned.
 */
export async function withNightlyLock<T>(
  db: Db,
  options: NightlyLockOptions,
  fn: (conn: Kysely<Database>) => Promise<T>,
): Promise<T> {
  const waitMs = options.waitMs ?? 60_000;
  return db.connection().execute(async (conn) => {
    try {
      await acquireSessionLock(conn, LOCK_KEY, waitMs);
    } catch (error) {
      if ((error as { code?: string }).code === LOCK_NOT_AVAILABLE) throw new NightlyRunBusyError(waitMs);
      throw error;
    }
    try {
      return await fn(conn);
    } finally {
      // Must not go back to the pool locked. If the connection broke, the server released it already.
      await releaseSessionLock(conn, LOCK_KEY).catch(() => undefined);
    }
  });
}
