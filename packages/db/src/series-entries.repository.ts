import { sql } from 'kysely';
import type { Db } from './database.ts';
import { breakdownKeySql } from './published-entry-sql.ts';

/**
 * One head snapshot of a series: its identity and the one entry the series asked for. `Entry` is
 * the published entry's type, which the measures package owns (db does not depend on it); the
 * entry is read back exactly as `publishSnapshot` wrote and validated it.
 */
export interface SeriesEntry<Entry = Record<string, unknown>> {
  readonly snapshotId: string;
  readonly forceId: string;
  readonly asOf: string;
  readonly revision: number;
  /** As in the document: the ISO instant `publishSnapshot` wrote there and in `generated_at`. */
  readonly generatedAt: string;
  /** The first entry for the measure, period and breakdown, or null when the snapshot has none. */
  readonly entry: Entry | null;
}

export interface SeriesEntriesQuery {
  readonly forceId: string;
  readonly measureId: string;
  readonly periodId: string;
  /**
   * `key=value;...` with keys in order (as `keyValuePairs` of @rollcall/publishing writes it), `''` for the headline.
   */
  readonly breakdown: string;
  readonly from?: string;
  readonly to?: string;
  readonly limit: number;
}

/**
 * Head revisions of a force between two dates, oldest first, each with only the entry the series
 * needs, picked out in PostgreSQL: what crosses the wire and is parsed here is one entry per date
 * (about 1 kB), not the whole document (hundreds of entries). The snapshot's identity comes from
 * the table's columns, which `insertSnapshot` writes from the same values as the document, so the
 * document is read once per row, for its `measures`.
 *
 * The breakdown is matched as the series names it (`breakdownKeySql`), `''` for the headline.
 * Entries are searched in document order and the first match wins, as `Array.find` did.
 */
export async function readSeriesEntries<Entry = Record<string, unknown>>(
  db: Db,
  query: SeriesEntriesQuery,
): Promise<SeriesEntry<Entry>[]> {
  const rows = await db
    .selectFrom('snapshot_heads as h')
    .innerJoin('snapshots as s', 's.snapshot_id', 'h.snapshot_id')
    .select(['s.snapshot_id', 's.force_id', 's.as_of', 's.revision', 's.generated_at'])
    .select(
      sql<Entry | null>`(
        select m.entry
        from jsonb_array_elements(s.document -> 'measures') with ordinality as m(entry, position)
        where m.entry ->> 'measureId' = ${query.measureId}
          and m.entry -> 'period' ->> 'id' = ${query.periodId}
          and ${breakdownKeySql(sql`m.entry`)} = ${query.breakdown}
        order by m.position
        limit 1
      )`.as('entry'),
    )
    .where('h.force_id', '=', query.forceId)
    .$if(query.from !== undefined, (q) => q.where('h.as_of', '>=', query.from ?? ''))
    .$if(query.to !== undefined, (q) => q.where('h.as_of', '<=', query.to ?? ''))
    .orderBy('h.as_of')
    .limit(query.limit)
    .execute();
  return rows.map((row) => ({
    snapshotId: row.snapshot_id,
    forceId: row.force_id,
    asOf: row.as_of,
    revision: row.revision,
    generatedAt: row.generated_at.toISOString(),
    // Kysely wraps a generic column type in SelectType; the value is the jsonb as written.
    entry: row.entry as Entry | null,
  }));
}

/** Whether any snapshot has been published for the force (a head row; no document is read). */
export async function hasPublishedSnapshot(db: Db, forceId: string): Promise<boolean> {
  const row = await db
    .selectFrom('snapshot_heads')
    .select(sql<number>`1`.as('found'))
    .where('force_id', '=', forceId)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

export interface PublishedBreakdownsQuery {
  readonly forceId: string;
  readonly measureId: string;
  readonly periodId: string;
  readonly from?: string;
  readonly to?: string;
}

/**
 * The breakdowns (`key=value;...`, headline `''` left out) a measure and period is published for
 * in the force's head snapshots between two dates, in byte order: what a request naming a
 * breakdown may ask for, so a typo is refused with the valid values instead of a series of gaps.
 */
export async function listPublishedBreakdowns(db: Db, query: PublishedBreakdownsQuery): Promise<string[]> {
  const { rows } = await sql<{ breakdown: string }>`
    select distinct ${breakdownKeySql(sql`m.entry`)} as breakdown
    from snapshot_heads h
    join snapshots s on s.snapshot_id = h.snapshot_id
    cross join lateral jsonb_array_elements(s.document -> 'measures') as m(entry)
    where h.force_id = ${query.forceId}
      and (${query.from ?? null}::date is null or h.as_of >= ${query.from ?? null}::date)
      and (${query.to ?? null}::date is null or h.as_of <= ${query.to ?? null}::date)
      and m.entry ->> 'measureId' = ${query.measureId}
      and m.entry -> 'period' ->> 'id' = ${query.periodId}
  `.execute(db);
  return rows
    .map((row) => row.breakdown)
    .filter((breakdown) => breakdown !== '')
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
