import { formatIssues, StopSearchAmended } from '@rollcall/events';
import { mapPoliceUkRow, type Unrecognised } from './map-police-uk-row.ts';
import type { PoliceUkSource } from './police-uk-file-name.ts';
import { type PoliceUkRow, type RowRejection, rowRejection } from './police-uk-row.ts';
import { stopSearchEnvelope } from './to-stop-search-event.ts';

export interface StopSearchAmendmentOfRow {
  readonly kind: 'amendment';
  readonly line: number;
  readonly position: number;
  readonly event: StopSearchAmended;
  readonly contentHash: string;
  readonly unrecognised: readonly Unrecognised[];
}

/**
 * A row that changed in a re-supplied month (see `compareMonths`), as a `stop-search.amended` for
 * the same recordId. It carries every field, not just the changed ones: "later fields replace
 * earlier ones", so the record ends up exactly as the new file has it, and a field that became
 * blank is sent as null rather than left at its old value.
 *
 * `occurredAt` is not the search time (a correction never moves a search, and the row's Date may
 * itself be what changed) but the edition's place in order: the first instant of the file's
 * month plus the revision in seconds. The lifecycle applies amendments in (occurredAt, eventId)
 * order, so the latest edition wins even when an earlier edition dated the search later; and the
 * instant stays inside the file's month, which is the month whose coverage the file speaks for.
 *
 * The eventId is `<recordId>-a<revision, 6 digits>-<content hash>`: the same however often one
 * edition is imported, and different from every recorded event's; a row that returns to earlier
 * content (A, B, A) gets a new amendment instead of the id of the old one.
 */
export function toStopSearchAmendment(row: PoliceUkRow, source: PoliceUkSource, revision: number): StopSearchAmendmentOfRow | RowRejection {
  if (!Number.isInteger(revision) || revision < 1 || revision > 999_999) throw new RangeError(`revision must be 1 to 999999 (got ${revision})`);
  const mapped = mapPoliceUkRow(row, source);
  if (mapped.kind === 'rejection') return mapped;
  const { recordId, contentHash, envelope } = stopSearchEnvelope(mapped, source);
  const candidate = {
    eventId: `${recordId}-a${String(revision).padStart(6, '0')}-${contentHash}`,
    type: 'stop-search.amended' as const,
    ...envelope,
    occurredAt: editionInstant(source.month, revision),
  };
  const parsed = StopSearchAmended.safeParse(candidate);
  if (!parsed.success) {
    return rowRejection(row, [{ column: null, value: null, reason: `breaks the event contract: ${formatIssues(parsed.error.issues)}` }], mapped.rawValues);
  }
  return { kind: 'amendment', line: row.line, position: row.position, event: parsed.data, contentHash, unrecognised: mapped.unrecognised };
}

/** `YYYY-MM-01T00:00:00Z` plus `revision` seconds: in the month (London or UTC) for any revision up to 999,999. */
function editionInstant(month: string, revision: number): string {
  return new Date(Date.parse(`${month}-01T00:00:00Z`) + revision * 1_000).toISOString().replace('.000Z', 'Z');
}
