/**
 * How a snapshot entry is identified, in one place: by measure, period and breakdown. A breakdown
 * is written as `key=value` pairs in key order joined by `;` (`area=urban;grade=emergency`), `''`
 * for the headline. The same text is the CSV's `breakdown` column, the series route's `breakdown`
 * parameter and what revisions and explanations match entries on; the series query in packages/db
 * orders keys `collate "C"` so that it builds the same text (breakdown keys are ASCII identifiers).
 */
export function keyValuePairs(record: Readonly<Record<string, string | number | null>> | null | undefined): string {
  if (!record) return '';
  return Object.keys(record)
    .sort()
    .map((key) => `${key}=${record[key] ?? ''}`)
    .join(';');
}

/** The breakdown's text: `''` for the headline. */
export const breakdownText = (breakdown: Readonly<Record<string, string>> | null | undefined): string =>
  keyValuePairs(breakdown);

/** The key of an entry within a snapshot: `measureId|periodId|breakdown`. */
export const snapshotEntryKey = (entry: {
  readonly measureId: string;
  readonly period: { readonly id: string };
  readonly breakdown: Readonly<Record<string, string>> | null | undefined;
}): string => `${entry.measureId}|${entry.period.id}|${breakdownText(entry.breakdown)}`;
