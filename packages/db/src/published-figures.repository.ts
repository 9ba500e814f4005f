import { sql } from 'kysely';
import type { Db, DbOrTransaction } from './database.ts';
import { jsonRecordset } from './json-recordset.ts';
import { markSnapshotHeadsStale } from './snapshot-heads.repository.ts';

/** One figure as another body published it, on the measure's own scale (89.4 for 89.4%). */
export interface PublishedFigure {
  readonly source: string;
  readonly forceId: string;
  readonly measureId: string;
  /** First and last London day of the period the figure covers. */
  readonly from: string;
  readonly to: string;
  readonly numerator: number | null;
  readonly denominator: number | null;
  readonly value: number | null;
  /** The publisher's own flags, as printed (`[c]`, `[x]`, `provisional`...). */
  readonly flags: readonly string[];
}

/** A stored figure with the edition it came from. */
export interface StoredPublishedFigure extends PublishedFigure {
  readonly editionId: number;
  readonly editionSha256: string;
  readonly editionFile: string;
  readonly importedAt: Date;
}

export interface PublishedEditionOutcome {
  readonly editionId: number;
  /** The same file (by content) was loaded before: nothing changed. */
  readonly alreadyLoaded: boolean;
  readonly figures: number;
  /** Figures new or different from the edition before (a re-published month). */
  readonly changed: number;
  /** Snapshot heads marked stale because a figure they compare with changed. */
  readonly staleSnapshotHeads: number;
}

/**
 * Stores one edition of a source in one transaction: the edition row, then each figure inserted
 * or, when a figure of the same source, force, measure and period is already held and differs,
 * replaced. Loading the same content again changes nothing. Every snapshot dated on or after the
 * first day of a changed figure is marked stale, for every force (a figure moves the comparisons
 * of every force it is compared with), and the nightly revision pass republishes those whose
 * content actually changes.
 */
export async function recordPublishedEdition(
  db: Db,
  edition: { readonly source: string; readonly fileName: string; readonly contentSha256: string },
  figures: readonly PublishedFigure[],
): Promise<PublishedEditionOutcome> {
  return db.transaction().execute(async (trx) => {
    // One loader of a source at a time: two editions racing would both see "nothing held".
    await sql`select pg_advisory_xact_lock(hashtextextended(${`published:${edition.source}`}, 0))`.execute(trx);
    const existing = await trx
      .selectFrom('published_editions')
      .select(['edition_id', 'figures'])
      .where('source', '=', edition.source)
      .where('content_sha256', '=', edition.contentSha256)
      .executeTakeFirst();
    if (existing)
      return {
        editionId: existing.edition_id,
        alreadyLoaded: true,
        figures: existing.figures,
        changed: 0,
        staleSnapshotHeads: 0,
      };
    const { edition_id: editionId } = await trx
      .insertInto('published_editions')
      .values({
        source: edition.source,
        file_name: edition.fileName,
        content_sha256: edition.contentSha256,
        figures: figures.length,
        changed_figures: 0,
      })
      .returning('edition_id')
      .executeTakeFirstOrThrow();
    const changed =
      figures.length === 0
        ? []
        : (
            await sql<{ period_from: string }>`
              insert into published_figures (source, force_id, measure_id, period_from, period_to, numerator, denominator, value, flags, edition_id)
              select t.source, t.force_id, t.measure_id, t.period_from, t.period_to, t.numerator, t.denominator, t.value,
                     array(select jsonb_array_elements_text(t.flags)), ${editionId}
              from ${jsonRecordset(figures, [
                ['source', 'text', (f) => f.source],
                ['force_id', 'text', (f) => f.forceId],
                ['measure_id', 'text', (f) => f.measureId],
                ['period_from', 'date', (f) => f.from],
                ['period_to', 'date', (f) => f.to],
                ['numerator', 'double precision', (f) => f.numerator],
                ['denominator', 'double precision', (f) => f.denominator],
                ['value', 'double precision', (f) => f.value],
                ['flags', 'jsonb', (f) => f.flags],
              ])}
              on conflict (source, force_id, measure_id, period_from, period_to) do update set
                numerator = excluded.numerator, denominator = excluded.denominator, value = excluded.value,
                flags = excluded.flags, edition_id = excluded.edition_id
              where (published_figures.numerator, published_figures.denominator, published_figures.value, published_figures.flags)
                is distinct from (excluded.numerator, excluded.denominator, excluded.value, excluded.flags)
              returning period_from::text as period_from`.execute(trx)
          ).rows;
    await trx
      .updateTable('published_editions')
      .set({ changed_figures: changed.length })
      .where('edition_id', '=', editionId)
      .execute();
    let staleSnapshotHeads = 0;
    const [fromDay] = changed.map((row) => row.period_from).sort();
    if (fromDay !== undefined) {
      const forces = await trx.selectFrom('snapshot_heads').select('force_id').distinct().execute();
      staleSnapshotHeads = await markSnapshotHeadsStale(
        trx,
        forces.map((row) => ({ forceId: row.force_id, fromDay, lateEvents: 0, correctedEvents: 0 })),
      );
    }
    return { editionId, alreadyLoaded: false, figures: figures.length, changed: changed.length, staleSnapshotHeads };
  });
}

/** The figures held for any of `measureIds` whose period is one of `periods` (exact first and last day). */
export async function readPublishedFigures(
  db: DbOrTransaction,
  query: { readonly periods: readonly { readonly from: string; readonly to: string }[] },
): Promise<StoredPublishedFigure[]> {
  if (query.periods.length === 0) return [];
  const rows = await db
    .selectFrom('published_figures as f')
    .innerJoin('published_editions as e', 'e.edition_id', 'f.edition_id')
    .select([
      'f.source',
      'f.force_id',
      'f.measure_id',
      'f.period_from',
      'f.period_to',
      'f.numerator',
      'f.denominator',
      'f.value',
      'f.flags',
      'f.edition_id',
      'e.content_sha256',
      'e.file_name',
      'e.imported_at',
    ])
    .where((eb) =>
      eb.or(query.periods.map((p) => eb.and([eb('f.period_from', '=', p.from), eb('f.period_to', '=', p.to)]))),
    )
    .orderBy('f.force_id')
    .orderBy('f.measure_id')
    .orderBy('f.source')
    .execute();
  return rows.map((row) => ({
    source: row.source,
    forceId: row.force_id,
    measureId: row.measure_id,
    from: row.period_from,
    to: row.period_to,
    numerator: row.numerator,
    denominator: row.denominator,
    value: row.value,
    flags: row.flags,
    editionId: row.edition_id,
    editionSha256: row.content_sha256,
    editionFile: row.file_name,
    importedAt: row.imported_at,
  }));
}
