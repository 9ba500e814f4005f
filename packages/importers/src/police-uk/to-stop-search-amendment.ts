import { formatIssues, StopSearchAmended } from '@rollcall/contract';
import { editionInstant, revisionTag } from './edition-instant.ts';
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
 * An edited row of a re-supplied month (see `EditionMatcher`) as a `stop-search.amended` of the
 * record it holds. It carries every field, not just the changed ones: "later fields replace
 * earlier ones", so the record ends up exactly as the new file has it, and a field that became
 * blank is sent as null rather than left at its old value. The row's time goes in `searchedAt`
 * (the search's corrected time: the lifecycle counts the search on its day), because the event's
 * own `occurredAt` is the edition's place in order (`editionInstant`).
 *
 * The eventId is `<recordId>-e<revision, 6 digits>-<content hash>`: the same however often one
 * edition is imported, and different from every recorded event's; a row that returns to earlier
 * content (A, B, A) gets a new amendment instead of the id of the old one.
 */
export function toStopSearchAmendment(
  row: PoliceUkRow,
  source: PoliceUkSource,
  record: number,
  revision: number,
): StopSearchAmendmentOfRow | RowRejection {
  const occurredAt = editionInstant(source.month, revision);
  const mapped = mapPoliceUkRow(row, source);
  if (mapped.kind === 'rejection') return mapped;
  const { recordId, contentHash, envelope } = stopSearchEnvelope(mapped, source, record);
  const candidate = {
    eventId: `${recordId}-${revisionTag(revision)}-${contentHash}`,
    type: 'stop-search.amended' as const,
    ...envelope,
    occurredAt,
    payload: { ...envelope.payload, searchedAt: mapped.occurredAt },
  };
  const parsed = StopSearchAmended.safeParse(candidate);
  if (!parsed.success) {
    return rowRejection(
      row,
      [{ column: null, value: null, reason: `breaks the event contract: ${formatIssues(parsed.error.issues)}` }],
      mapped.rawValues,
    );
  }
  return {
    kind: 'amendment',
    line: row.line,
    position: row.position,
    event: parsed.data,
    contentHash,
    unrecognised: mapped.unrecognised,
  };
}
