import { sql } from 'kysely';
import type { DbOrTransaction } from './database.ts';

/**
 * Takes transaction-scoped advisory locks on (feed, force) pairs, in sorted order.
 *
 * Every entity belongs to one feed and one force, and every aggregate row to one force, so a
 * transaction holding the lock of its (feed, force) pairs is the only one folding those entities
 * and adding to those rows: no lost update when two batches carry events of the same call, and
 * no deadlock because every transaction takes its locks in the same order. Released at commit.
 */
export async function lockFeedForces(trx: DbOrTransaction, pairs: Iterable<{ feed: string; forceId: string }>): Promise<void> {
  const keys = [...new Set([...pairs].map((pair) => `rollcall:${pair.feed}:${pair.forceId}`))].sort();
  for (const key of keys) await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
}
