import { sql, type Transaction } from 'kysely';
import type { Database } from './database.ts';

/**
 * Raises `work_mem` for the rest of `trx` only (`set local`): for the one large sort or hash of a
 * publication or a replay, without raising it for every connection of the pool.
 */
export async function setTransactionWorkMem(trx: Transaction<Database>, megabytes: number): Promise<void> {
  await sql`select set_config('work_mem', ${`${Math.trunc(megabytes)}MB`}, true)`.execute(trx);
}

/**
 * Turns PostgreSQL's JIT compilation off for the rest of `trx` (`set local`). Replay's statements
 * scan every partition with a few simple expressions each: their estimated cost is far above
 * `jit_above_cost`, so PostgreSQL compiles (and optimizes and inlines) each partition's plan
 * with LLVM, which took longer than running it (issue 19: 1.9 s of a replay shard's 3.6-3.9 s
 * over the full benchmark's 43 monthly partitions; 2.0 s without JIT).
 */
export async function setTransactionJitOff(trx: Transaction<Database>): Promise<void> {
  await sql`select set_config('jit', 'off', true)`.execute(trx);
}
