import { canonicalJson, snapshotEntryKey } from '@rollcall/contract';
import type { PublishedMeasure } from '@rollcall/measures';
import type { MeasureChange } from './snapshot-document.ts';

const figures = (measure: PublishedMeasure) => ({
  value: measure.value,
  numerator: measure.numerator,
  denominator: measure.denominator,
});

/**
 * Fields of an entry that can move when only other forces' data change: the MSG rank and average
 * and the national band are computed over the force's group, or over every force; the
 * reconciliation sets the force's figure beside what others published of it.
 */
export const COMPARISON_FIELDS: ReadonlySet<string> = new Set(['msg', 'national', 'reconciliation']);

/** The revision mark is the publisher's note that an entry changed, not part of what changed. */
export const REVISION_MARK = '[r]';

/** The fields of an entry (every published field) whose values differ between two revisions, sorted. */
function changedFields(before: PublishedMeasure, after: PublishedMeasure): string[] {
  const old: Record<string, unknown> = { ...before, flags: before.flags.filter((flag) => flag !== REVISION_MARK) };
  const now: Record<string, unknown> = { ...after, flags: after.flags.filter((flag) => flag !== REVISION_MARK) };
  const keys = [...new Set([...Object.keys(old), ...Object.keys(now)])].sort();
  // An absent field and a null one differ (as they do in the content hash).
  return keys.filter(
    (key) =>
      (old[key] === undefined) !== (now[key] === undefined) || canonicalJson(old[key]) !== canonicalJson(now[key]),
  );
}

/**
 * The entries that differ between two revisions: added, removed, or changed in any published
 * field (figures, interval, target status, trend, MSG and national comparisons, flags, ...), each
 * with the names of the fields that changed. It compares whole entries, as the content hash does,
 * so two revisions with different hashes always have at least one change here unless only the
 * order of the entries moved (which `publishSnapshot` does not publish as a revision).
 */
export function diffMeasures(before: readonly PublishedMeasure[], after: readonly PublishedMeasure[]): MeasureChange[] {
  const previous = new Map(before.map((measure) => [snapshotEntryKey(measure), measure]));
  const current = new Map(after.map((measure) => [snapshotEntryKey(measure), measure]));
  const changes: MeasureChange[] = [];
  for (const [key, measure] of current) {
    const old = previous.get(key);
    const base = { measureId: measure.measureId, breakdown: measure.breakdown, periodId: measure.period.id };
    if (!old) {
      changes.push({ ...base, change: 'added', fields: [], before: null, after: figures(measure) });
      continue;
    }
    const fields = changedFields(old, measure);
    if (fields.length > 0)
      changes.push({ ...base, change: 'changed', fields, before: figures(old), after: figures(measure) });
  }
  for (const [key, measure] of previous) {
    if (!current.has(key)) {
      changes.push({
        measureId: measure.measureId,
        breakdown: measure.breakdown,
        periodId: measure.period.id,
        change: 'removed',
        fields: [],
        before: figures(measure),
        after: null,
      });
    }
  }
  return changes;
}
