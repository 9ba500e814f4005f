import { type Kysely, sql } from 'kysely';
import type { Database } from './database.ts';

/** PostgreSQL's `lock_not_available`, raised when `lock_timeout` expires. */
export const LOCK_NOT_AVAILABLE = '55P03';

/**
 * Takes the session advisory lock named `key` on `conn`, waiting at most `waitMs` (then
 * PostgreSQL raises LOCK_NOT_AVAILABLE). Advisory locks are per database, so holders in
 * different databases (test files) never meet. The lock outlives the transaction that takes it:
 * it is held until `releaseSessionLock` or until the connection closes, which is how a lock
 * held by a process that died is freed.
 */
export async function acquireSessionLock(conn: Kysely<Database>, key: string, waitMs: number): Promise<void> {
  // `lock_timeout` local to this transaction; the session lock outlives the transaction.
  await conn.transaction().execute(async (trx) => {
    await sql`select set_config('lock_timeout', ${`${Math.max(1, Math.round(waitMs))}ms`}, true)`.execute(trx);
    await sql`select pg_advisory_lock(hashtextextended(${key}, 0))`.execute(trx);
  });
}

/** Releases what `acquireSessionLock` took on the same connection. */
export async function releaseSessionLock(conn: Kysely<Database>, key: string): Promise<void> {
  await sql`select pg_advisory_unlock(hashtextextended(${key}, 0))`.execute(conn);
}
