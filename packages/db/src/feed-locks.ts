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
 * Taken after the part's events are inserted (`storePart`) and never before another insert, so a
 * transaction waiting for an event id another has just inserted never holds these locks; taken
 * in sorted order, forces before shards, so two transactions cannot wait on each other;
 * all in one statement (an Append runs its branches in order, and unnest keeps array order), so
 * a part costs one round trip for its locks whatever the number of shards.
 */
export async function lockForIngest(trx: DbOrTransaction, shards: Iterable<EntityShard>): Promise<void> {
  const list = [...shards];
  if (list.length === 0) return;
  const forceKeys = [...new Set(list.map((shard) => forceKey(shard.forceId)))].sort();
  const shardKeys = [...new Set(list.map(shardKey))].sort();
  await sql`
    select count(*) from (
      select pg_advisory_xact_lock_shared(hashtextextended(k, 0)) from unnest(${forceKeys}::text[]) as k
      union all
      select pg_advisory_xact_lock(hashtextextended(k, 0)) from unnest(${shardKeys}::text[]) as k
    ) locks`.execute(trx);
}

/** Excludes ingest of a force until the transaction ends (see `lockForIngest`). */
export async function lockForceForPublication(trx: DbOrTransaction, forceId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${forceKey(forceId)}, 0))`.execute(trx);
}
