import { sql, type Transaction } from 'kysely';
import type { Database } from './database.ts';

/**
 * Raises `work_mem` for the rest of `trx` only (`set local`): for the one large sort or hash of a
 * publication or a replay, without raising it for every connection of the pool.
 */
export async function setTransactionWorkMem(trx: Transaction<Database>, megabytes: number): Promise<void> {
  await sql`select set_config('work_mem', ${`${Math.trunc(megabytes)}MB`}, true)`.execute(trx);
}
