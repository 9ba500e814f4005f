import { type Db, readAllFeedStats, readDailyAggregates, readMonthlyAggregates } from '@rollcall/db';
import { sql } from 'kysely';

/**
 * Everything the pipeline derives from events, in a comparable form: the daily aggregates, each
 * entity's facts, status and flags, and the feed stats. Two runs over the same event set must
 * produce equal derived state whatever the order they received the events in.
 */
export async function readDerivedState(db: Db) {
  const entities = await db
    .selectFrom('entities')
    .select(['force_id', 'kind', 'entity_id', 'status', 'flags', 'started_at', 'ended_at', 'facts'])
    .orderBy('force_id')
    .orderBy('kind')
    .orderBy('entity_id')
    .execute();
  return {
    aggregates: await readDailyAggregates(db),
    monthlyAggregates: await readMonthlyAggregates(db),
    entities: entities.map((row) => ({
      ...row,
      // Facts are kept sorted by (occurredAt, eventId), each whole: its payload is what a later
      // re-fold reads, so an entity rebuilt without it (replay --entities) must not pass as equal.
      facts: row.facts,
    })),
    feedStats: await readAllFeedStats(db),
  };
}

/**
 * Empties every table the pipeline writes (reference data stays), to run the same set again.
 * `cascade` also empties tables that refer to these (a snapshot's outbox rows).
 */
export async function resetPipelineTables(db: Db): Promise<void> {
  await sql`truncate events, event_ids, entities, daily_aggregates, monthly_aggregates, daily_feed_stats, event_accounting, rejected_events, ingest_parts, snapshot_heads, snapshots, nightly_runs cascade`.execute(
    db,
  );
}
