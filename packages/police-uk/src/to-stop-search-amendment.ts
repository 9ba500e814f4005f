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
 * blank is sent as null rather than left at its old value. `occurredAt` is the search time as the
 * new file gives it. The eventId, `<recordId>-a-<content hash>`, differs from every recorded
 * event's and is the same however often the new file is imported.
 */
export function toStopSearchAmendment(row: PoliceUkRow, source: PoliceUkSource): StopSearchAmendmentOfRow | RowRejection {
  const mapped = mapPoliceUkRow(row, source);
  if (mapped.kind === 'rejection') return mapped;
  const { recordId, contentHash, envelope } = stopSearchEnvelope(mapped, source);
  const candidate = { eventId: `${recordId}-a-${contentHash}`, type: 'stop-search.amended' as const, ...envelope };
  const parsed = StopSearchAmended.safeParse(candidate);
  if (!parsed.success) {
    return rowRejection(row, [{ column: null, value: null, reason: `breaks the event contract: ${formatIssues(parsed.error.issues)}` }], mapped.rawValues);
  }
  return { kind: 'amendment', line: row.line, position: row.position, event: parsed.data, contentHash, unrecognised: mapped.unrecognised };
}
