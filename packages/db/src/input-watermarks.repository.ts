import { sql } from 'kysely';
import type { DbOrTransaction } from './database.ts';

/** How far a force's feed had been stored when a snapshot read it. */
export interface IngestWatermark {
  readonly feed: string;
  /** Events of the force stored from the feed, whatever their occurredAt (`event_accounting.stored`). */
  readonly storedEvents: number;
  /**
   * When the last ingest part that offered an event of the force on the feed committed (stored,
   * duplicate or rejected: `event_accounting.updated_at`, written in every part's transaction).
   */
  readonly lastIngestAt: Date;
}

/**
 * The watermark of every feed of a force, from the accounting counters that each ingest part
 * updates in its own transaction (so every committed part is included, none half-way): one
 * primary-key row per feed, where the latest `received_at` of the events would be a scan of
 * every stored event of the force. Read under the force's publication lock, nothing of the force
 * commits meanwhile.
 */
export async function readIngestWatermarks(db: DbOrTransaction, forceId: string): Promise<IngestWatermark[]> {
  const rows = await db
    .selectFrom('event_accounting')
    .select(['feed', 'stored', sql<Date>`updated_at`.as('updated_at')])
    .where('force_id', '=', forceId)
    .orderBy('feed')
    .execute();
  return rows.map((row) => ({ feed: row.feed, storedEvents: Number(row.stored), lastIngestAt: row.updated_at }));
}
