import type { Calendar } from '@rollcall/calendar';
import {
  Instant,
  STOP_SEARCH_FIELD_NAMES,
  type StopSearchGroundsReviewed,
  type StopSearchRecorded,
} from '@rollcall/contract';
import { dimOf, METRIC } from '@rollcall/contract';
import { ethnicGroupOf, normaliseOutcome } from '@rollcall/contract';
import { type Fact, factsOfType } from './fact.ts';
import { flagExtras, type Lifecycle, LifecycleBuilder } from './lifecycle.ts';

type RecordFields = StopSearchRecorded['payload'];

/**
 * A stop-and-search record: `stop-search.recorded` → `stop-search.amended`* (corrections) →
 * `stop-search.grounds-reviewed`* (dip-sample audits). Counted on the London day of its search.
 *
 * Amendments apply over the record in event-time order, each field taking the latest value
 * ("later fields replace earlier ones"): a last-writer-wins register per field, which gives the
 * same record whatever order the corrections arrive in. An amendment is a correction of the
 * record whatever its own timestamp (the data.police.uk importer dates a correction at the start
 * of the file's month plus its revision, to order editions), so one timed before the record still
 * applies. Two registers besides the record's own fields:
 *
 * - `searchedAt`: the search's corrected time. The search counts on its London day instead of the
 *   day of the recorded event's `occurredAt` (null: back to that). Moving a search moves every
 *   contribution, so the aggregates of both days change and revision marks start at the earlier.
 * - `withdrawn`: true when the source no longer has the record (a re-supplied data.police.uk month
 *   without its row). A withdrawn search counts nothing, grounds reviews included, until an
 *   amendment sets it back to false or null.
 *
 * A value of the wrong type for either is flagged and ignored (the earlier value stands). The
 * latest grounds review is the one that counts, on its own day.
 */
export function interpretSearch(facts: readonly Fact[], calendar: Calendar): Lifecycle {
  const builder = new LifecycleBuilder();
  const recordings = factsOfType(facts, 'stop-search.recorded');
  flagExtras(builder, recordings, 'stop-search.recorded');
  const recorded = recordings[0];
  if (!recorded) {
    builder.flag('awaiting stop-search.recorded: nothing counted until it arrives');
    return builder.build('pending', null, null);
  }
  const fields: Record<string, unknown> = { ...recorded.p };
  let searchedAt = recorded.at;
  let withdrawn = false;
  for (const { p: amendment } of factsOfType(facts, 'stop-search.amended')) {
    for (const field of STOP_SEARCH_FIELD_NAMES) if (field in amendment) fields[field] = amendment[field];
    if ('searchedAt' in amendment) {
      const value = amendment.searchedAt;
      if (value === null) searchedAt = recorded.at;
      else if (Instant.safeParse(value).success) searchedAt = Date.parse(value as string);
      else builder.flag('stop-search.amended searchedAt is not a time with an offset: ignored');
    }
    if ('withdrawn' in amendment) {
      const value = amendment.withdrawn;
      if (value === null || typeof value === 'boolean') withdrawn = value === true;
      else builder.flag('stop-search.amended withdrawn is not true, false or null: ignored');
    }
  }
  if (withdrawn) return builder.build('withdrawn', searchedAt, null);
  const record = fields as RecordFields;
  const day = calendar.dayOf(searchedAt);

  const ethnicity = ethnicGroupOf(record.selfDefinedEthnicity, record.officerDefinedEthnicity);
  if (ethnicity.unrecognised !== undefined) {
    builder.flag(`unrecognised ethnicity "${ethnicity.unrecognised}": counted as not recorded`);
    builder.add(day, METRIC.searchesEthnicityUnrecognised);
  }
  const outcome = normaliseOutcome(record.outcome);
  if (outcome.unrecognised !== undefined)
    builder.flag(`unrecognised outcome "${outcome.unrecognised}": counted as other`);

  builder.add(day, METRIC.searches, record.searchType);
  builder.add(day, METRIC.searchesByEthnicGroup, ethnicity.group);
  builder.add(day, METRIC.searchesByOutcome, outcome.outcome);
  builder.add(day, METRIC.searchesByOutcomeLinked, String(record.outcomeLinkedToObject ?? null));

  const reviews = factsOfType(facts, 'stop-search.grounds-reviewed');
  const review = reviews.at(-1);
  if (review) {
    const { reasonableGroundsRecorded } = review.p as StopSearchGroundsReviewed['payload'];
    builder.add(
      calendar.dayOf(review.at),
      METRIC.searchesGroundsReviewed,
      dimOf(ethnicity.group, reasonableGroundsRecorded),
    );
  }
  return builder.build(review ? 'grounds reviewed' : 'recorded', searchedAt, null);
}
