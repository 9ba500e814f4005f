import { SCHEMA_VERSION, STOP_SEARCH_FIELD_NAMES, StopSearchAmended } from '@rollcall/contract';
import { editionInstant, revisionTag } from './edition-instant.ts';
import type { PoliceUkSource } from './police-uk-file-name.ts';
import { policeUkRecordId } from './police-uk-record-id.ts';

/** Every field a withdrawal blanks: all of the record's but `searchType`, which cannot be null. */
const BLANKED = Object.fromEntries(
  STOP_SEARCH_FIELD_NAMES.filter((field) => field !== 'searchType').map((field) => [field, null]),
);

/**
 * A record whose row a re-supplied month no longer has (see `EditionMatcher`), withdrawn: a
 * `stop-search.amended` with `withdrawn: true`, after which the search counts nothing. Its fields
 * are blanked too: the record is no longer published, and the contract asks an amendment to carry
 * at least one of the record's fields. Dated like an amendment of the same edition
 * (`editionInstant`), so a later edition that edits the record again wins.
 *
 * The eventId is `<recordId>-e<revision, 6 digits>-withdrawn`: one per record and edition.
 */
export function toStopSearchWithdrawal(source: PoliceUkSource, record: number, revision: number): StopSearchAmended {
  const recordId = policeUkRecordId(source, record);
  return StopSearchAmended.parse({
    eventId: `${recordId}-${revisionTag(revision)}-withdrawn`,
    feed: 'stop-search',
    type: 'stop-search.amended',
    forceId: source.forceId,
    occurredAt: editionInstant(source.month, revision),
    schemaVersion: SCHEMA_VERSION,
    payload: { recordId, ...BLANKED, withdrawn: true },
  });
}
