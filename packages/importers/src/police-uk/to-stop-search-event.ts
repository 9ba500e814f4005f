import { formatIssues, SCHEMA_VERSION, StopSearchRecorded } from '@rollcall/contract';
import { type MappedPoliceUkRow, mapPoliceUkRow, type Unrecognised } from './map-police-uk-row.ts';
import type { PoliceUkSource } from './police-uk-file-name.ts';
import { policeUkRecordId } from './police-uk-record-id.ts';
import { type PoliceUkRow, type RowRejection, rowRejection } from './police-uk-row.ts';
import { rowContentHash } from './row-content-hash.ts';

export interface StopSearchEventOfRow {
  readonly kind: 'event';
  readonly line: number;
  readonly position: number;
  readonly event: StopSearchRecorded;
  /** Hash of the row's cells: stored per position, it is what `EditionMatcher` matches on. */
  readonly contentHash: string;
  readonly unrecognised: readonly Unrecognised[];
}

/** The envelope and payload shared by `stop-search.recorded` and `stop-search.amended`. */
export function stopSearchEnvelope(mapped: MappedPoliceUkRow, source: PoliceUkSource, record: number) {
  const recordId = policeUkRecordId(source, record);
  const contentHash = rowContentHash(mapped.rawValues);
  return {
    recordId,
    contentHash,
    envelope: {
      feed: 'stop-search' as const,
      forceId: source.forceId,
      occurredAt: mapped.occurredAt,
      schemaVersion: SCHEMA_VERSION,
      payload: { recordId, ...mapped.fields },
    },
  };
}

/**
 * One row of a data.police.uk file as a `stop-search.recorded` event of record `record`, or a
 * rejection. The record is the row's position unless a later edition's matching (`EditionMatcher`)
 * says otherwise.
 *
 * Ids are deterministic, so importing a file again is a no-op downstream:
 * `recordId = pu-<force>-<YYYY-MM>-<record>` and `eventId = <recordId>-<content hash>`.
 * Every row is one person searched, so two identical rows are two searches: they hold different
 * records and get different ids. A re-supplied month with an edited row keeps the recordId and
 * sends a `stop-search.amended` (`toStopSearchAmendment`).
 */
export function toStopSearchEvent(
  row: PoliceUkRow,
  source: PoliceUkSource,
  record: number = row.position,
): StopSearchEventOfRow | RowRejection {
  const mapped = mapPoliceUkRow(row, source);
  if (mapped.kind === 'rejection') return mapped;
  const { recordId, contentHash, envelope } = stopSearchEnvelope(mapped, source, record);
  const candidate = { eventId: `${recordId}-${contentHash}`, type: 'stop-search.recorded' as const, ...envelope };
  // The contract is checked here too, so a row the queue would reject is reported against its
  // line in the file rather than as an anonymous failed job.
  const parsed = StopSearchRecorded.safeParse(candidate);
  if (!parsed.success) {
    return rowRejection(
      row,
      [{ column: null, value: null, reason: `breaks the event contract: ${formatIssues(parsed.error.issues)}` }],
      mapped.rawValues,
    );
  }
  return {
    kind: 'event',
    line: row.line,
    position: row.position,
    event: parsed.data,
    contentHash,
    unrecognised: mapped.unrecognised,
  };
}
