import type { Db } from '@rollcall/db';
import type { PublishedMeasure } from '@rollcall/measures';
import { sql } from 'kysely';

/** One head snapshot of a series: its identity and the one entry the series asked for. */
export interface SeriesEntry {
  readonly snapshotId: string;
  readonly forceId: string;
  readonly asOf: string;
  readonly revision: number;
  /** As in the document: the ISO instant `publishSnapshot` wrote there and in `generated_at`. */
  readonly generatedAt: string;
  /** The first entry for the measure, period and breakdown, or null when the snapshot has none. */
  readonly entry: PublishedMeasure | null;
}

export interface SeriesEntriesQuery {
  readonly forceId: string;
  readonly measureId: string;
  readonly periodId: string;
  /** `key=value;...` with keys in order (as `keyValuePairs` of @rollcall/publishing writes it), `''` for the headline. */
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
 * The breakdown is matched as the series names it, `key=value` pairs in key order joined by `;`:
 * the keys of a breakdown are ASCII identifiers, so ordering them `collate "C"` (by byte) orders
 * them as JavaScript's sort does. A null or absent breakdown is the headline, `''`. Entries are
 * searched in document order and the first match wins, as `Array.find` did.
 */
export async function readSeriesEntries(db: Db, query: SeriesEntriesQuery): Promise<SeriesEntry[]> {
  const rows = await db
    .selectFrom('snapshot_heads as h')
    .innerJoin('snapshots as s', 's.snapshot_id', 'h.snapshot_id')
    .select(['s.snapshot_id', 's.force_id', 's.as_of', 's.revision', 's.generated_at'])
    .select(
      sql<PublishedMeasure | null>`(
        select m.entry
        from jsonb_array_elements(s.document -> 'measures') with ordinality as m(entry, position)
        where m.entry ->> 'measureId' = ${query.measureId}
          and m.entry -> 'period' ->> 'id' = ${query.periodId}
          and coalesce(
            (
              select string_agg(b.key || '=' || coalesce(b.value, 'null'), ';' order by b.key collate "C")
              from jsonb_each_text(case when jsonb_typeof(m.entry -> 'breakdown') = 'object' then m.entry -> 'breakdown' end) as b
            ),
            ''
          ) = ${query.breakdown}
        order by m.position
        limit 1
      )`.as('entry'),
    )
    .where('h.force_id', '=', query.forceId)
    .$if(query.from !== undefined, (q) => q.where('h.as_of', '>=', query.from!))
    .$if(query.to !== undefined, (q) => q.where('h.as_of', '<=', query.to!))
    .orderBy('h.as_of')
    .limit(query.limit)
    .execute();
  return rows.map((row) => ({
    snapshotId: row.snapshot_id,
    forceId: row.force_id,
    asOf: row.as_of,
    revision: row.revision,
    generatedAt: row.generated_at.toISOString(),
    entry: row.entry,
  }));
}

/** Whether any snapshot has been published for the force (a head row; no document is read). */
export async function hasPublishedSnapshot(db: Db, forceId: string): Promise<boolean> {
  const row = await db.selectFrom('snapshot_heads').select(sql<number>`1`.as('found')).where('force_id', '=', forceId).limit(1).executeTakeFirst();
  return row !== undefined;
}
