import { sql } from 'kysely';
import type { DbOrTransaction } from './database.ts';

/** A slice of a force's entities within one feed: ingest serialises per slice, not per feed. */
export interface EntityShard {
  readonly feed: string;
  readonly forceId: string;
  readonly shard: number;
}

const forceKey = (forceId: string) => `rollcall:force:${forceId}`;
const shardKey = (shard: EntityShard) => `rollcall:shard:${shard.feed}:${shard.forceId}:${shard.shard}`;

/**
 * The locks an ingest transaction holds until it commits:
 *
 * - each force it writes, in SHARED mode: ingest transactions run side by side, but a snapshot
 *   publication (which takes the force EXCLUSIVELY, `lockForceForPublication`) waits for the
 *   ones in flight and holds new ones back, so no event commits between its read of the inputs
 *   and the head it records;
 * - each (feed, force, shard) it folds, EXCLUSIVELY: every entity belongs to one shard, so two
 *   transactions never fold the same call or circulation at once (which would lose one's facts),
 *   while transactions of other shards of the same feed proceed in parallel.
 *
 * Taken in sorted order, forces before shards, so two transactions cannot wait on each other.
 */
export async function lockForIngest(trx: DbOrTransaction, shards: Iterable<EntityShard>): Promise<void> {
  const list = [...shards];
  for (const forceId of [...new Set(list.map((shard) => shard.forceId))].sort()) {
    await sql`select pg_advisory_xact_lock_shared(hashtextextended(${forceKey(forceId)}, 0))`.execute(trx);
  }
  for (const key of [...new Set(list.map(shardKey))].sort()) {
    await sql`select pg_advisory_xact_lock(hashtextextended(${key}, 0))`.execute(trx);
  }
}

/** Excludes ingest of a force until the transaction ends (see `lockForIngest`). */
export async function lockForceForPublication(trx: DbOrTransaction, forceId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${forceKey(forceId)}, 0))`.execute(trx);
}
