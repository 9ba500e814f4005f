import { sql } from 'kysely';
import type { Db } from './database.ts';
import { breakdownKeySql } from './published-entry-sql.ts';

/**
 * The bulk extract of `GET /v1/extract` (operations.md, "Extract for BI tools"): every published
 * entry of the forces' snapshots between two dates, one row per measure, period, breakdown and
 * force. A period is identified by its start (its end for an as-at period, which has none), so a
 * month that daily snapshots publish as month-to-date 30 times is one row, taken from the snapshot
 * that covers most of it (the month-end one once it exists); rolling 12 months and as-at periods
 * end on their snapshot's date, so each date is a period of its own.
 */

export interface ExtractQuery {
  readonly forceIds: readonly string[];
  readonly from: string;
  readonly to: string;
  /** Only these measures; all when absent. */
  readonly measureIds?: readonly string[];
  /** Only these period ids (`month`, `custom:q1`); all when absent. */
  readonly periodIds?: readonly string[];
  /** Also the superseded revisions of the snapshot each row comes from (`is_latest_revision` false). */
  readonly allRevisions: boolean;
  readonly limit: number;
  readonly after?: ExtractPosition;
}

/** A row's place in the extract's order; the last one of a page is where the next page starts. */
export interface ExtractPosition {
  readonly forceId: string;
  readonly measureId: string;
  readonly periodId: string;
  readonly periodStart: string;
  readonly breakdown: string;
  readonly revision: number;
}

export interface ExtractRow<Entry = Record<string, unknown>> {
  readonly position: ExtractPosition;
  readonly forceName: string | null;
  readonly snapshotId: string;
  readonly asOf: string;
  readonly revision: number;
  readonly generatedAt: Date;
  readonly isLatestRevision: boolean;
  /** The entry as `publishSnapshot` wrote it (`Entry`: its type, which the measures package owns). */
  readonly entry: Entry;
}

export interface ExtractPage<Entry = Record<string, unknown>> {
  /** Rows of the whole extract, all pages together. */
  readonly total: number;
  readonly rows: readonly ExtractRow<Entry>[];
}

interface ExtractRecord<Entry> {
  total: string;
  force_id: string | null;
  force_name: string | null;
  measure_id: string;
  period_id: string;
  period_start: string;
  breakdown: string;
  snapshot_id: string;
  as_of: string;
  revision: number;
  generated_at: Date;
  is_latest: boolean;
  entry: Entry;
}

/**
 * One page of the extract, in (force, measure, period, period start, breakdown, newest revision
 * first) order, compared byte by byte (`collate "C"`) so the cursor's comparison and the order agree.
 */
export async function readExtractPage<Entry = Record<string, unknown>>(
  db: Db,
  query: ExtractQuery,
): Promise<ExtractPage<Entry>> {
  const after = query.after;
  const measureIds = query.measureIds === undefined ? null : [...query.measureIds];
  const periodIds = query.periodIds === undefined ? null : [...query.periodIds];
  const { rows } = await sql<ExtractRecord<Entry>>`
    with entries as (
      select s.snapshot_id, s.force_id, s.as_of, s.revision, s.generated_at, h.snapshot_id is not null as is_latest,
             m.entry, m.position,
             m.entry ->> 'measureId' as measure_id,
             m.entry -> 'period' ->> 'id' as period_id,
             coalesce(m.entry -> 'period' ->> 'from', m.entry -> 'period' ->> 'to') as period_start,
             m.entry -> 'period' ->> 'to' as period_to,
             ${breakdownKeySql(sql`m.entry`)} as breakdown
      from snapshots s
      left join snapshot_heads h on h.snapshot_id = s.snapshot_id
      cross join lateral jsonb_array_elements(s.document -> 'measures') with ordinality as m(entry, position)
      where s.force_id = any(${[...query.forceIds]}::text[])
        and s.as_of between ${query.from}::date and ${query.to}::date
        and (${query.allRevisions}::boolean or h.snapshot_id is not null)
        and (${measureIds === null}::boolean or m.entry ->> 'measureId' = any(${measureIds}::text[]))
        and (${periodIds === null}::boolean or m.entry -> 'period' ->> 'id' = any(${periodIds}::text[]))
    ),
    chosen as (
      select distinct on (force_id, measure_id, period_id, period_start, breakdown)
             force_id, measure_id, period_id, period_start, breakdown, as_of
      from entries
      where is_latest
      order by force_id, measure_id, period_id, period_start, breakdown, period_to desc, as_of desc, position
    ),
    extract as (
      select distinct on (e.force_id, e.measure_id, e.period_id, e.period_start, e.breakdown, e.revision)
             e.*
      from entries e
      join chosen c using (force_id, measure_id, period_id, period_start, breakdown, as_of)
      order by e.force_id, e.measure_id, e.period_id, e.period_start, e.breakdown, e.revision, e.position
    )
    select t.total, p.*
    from (select count(*) as total from extract) t
    left join lateral (
      select x.*, f.name as force_name
      from extract x
      left join forces f on f.force_id = x.force_id
      where ${after === undefined}::boolean
         or (x.force_id collate "C", x.measure_id collate "C", x.period_id collate "C",
             x.period_start collate "C", x.breakdown collate "C", -x.revision)
          > (${after?.forceId ?? ''}, ${after?.measureId ?? ''}, ${after?.periodId ?? ''},
             ${after?.periodStart ?? ''}, ${after?.breakdown ?? ''}, ${-(after?.revision ?? 0)}::int)
      order by x.force_id collate "C", x.measure_id collate "C", x.period_id collate "C",
               x.period_start collate "C", x.breakdown collate "C", x.revision desc
      limit ${query.limit}
    ) p on true
  `.execute(db);
  const total = Number(rows[0]?.total ?? 0);
  return {
    total,
    rows: rows.flatMap((row): ExtractRow<Entry>[] =>
      row.force_id === null
        ? []
        : [
            {
              position: {
                forceId: row.force_id,
                measureId: row.measure_id,
                periodId: row.period_id,
                periodStart: row.period_start,
                breakdown: row.breakdown,
                revision: row.revision,
              },
              forceName: row.force_name,
              snapshotId: row.snapshot_id,
              asOf: row.as_of,
              revision: row.revision,
              generatedAt: row.generated_at,
              isLatestRevision: row.is_latest,
              entry: row.entry,
            },
          ],
    ),
  };
}
