import { METRIC } from '@rollcall/contract';
import { SEARCH_OUTCOMES, type SearchOutcome } from '@rollcall/contract';
import type { MeasureDefinition } from '../measure-definition.ts';
import { FLOW_PERIOD_KINDS } from '../periods.ts';
import { row } from './measure-input-of.ts';
import { STOPSEARCH_CELLS } from './stopsearch-count.ts';
import { shareResult } from './share-result.ts';

/**
 * How each normalised outcome reads in the documentation (the vocabulary itself is
 * `SEARCH_OUTCOMES`, shared with the importer and the lifecycle; a missing wording here is a
 * type error). The published-figure tests check, through the pipeline, that the outcome rates
 * add up to all searches.
 */
const OUTCOME_WORDS: Readonly<Record<SearchOutcome, string>> = {
  arrest: 'arrest ("Arrest", "Suspect arrested")',
  'no-further-action': 'no further action ("A no further action disposal", "Nothing found - no further action")',
  'community-resolution': 'community resolution ("Community resolution", "Local resolution")',
  'drugs-warning': 'drugs warning ("Khat or Cannabis warning", "Offender given drugs possession warning")',
  'penalty-notice': 'penalty notice ("Penalty Notice for Disorder", "Offender given penalty notice")',
  caution: 'caution ("Caution (simple or conditional)", "Offender cautioned")',
  summons: 'summons ("Summons / charged by post", "Suspect summonsed to court")',
  'article-found': 'article found, outcome not given ("Article found - Detailed outcome unavailable")',
  'not-recorded': 'no outcome recorded (blank)',
  other: 'an outcome in no known wording (reported on the record)',
};

/** The outcomes with their wording, in vocabulary order. */
export const SEARCH_OUTCOME_WORDINGS = SEARCH_OUTCOMES.map((id) => ({ id, words: OUTCOME_WORDS[id] }));

const example = {
  description:
    '1,000 searches: 180 arrests, 650 no further action, 90 community resolutions, 40 drugs warnings, 15 penalty notices, 10 cautions, 10 summonses, 5 with no outcome recorded; 240 found what was searched for.',
  aggregates: [
    row(METRIC.searches, 'Person search', 1_000),
    row(METRIC.searchesByOutcome, 'arrest', 180),
    row(METRIC.searchesByOutcome, 'no-further-action', 650),
    row(METRIC.searchesByOutcome, 'community-resolution', 90),
    row(METRIC.searchesByOutcome, 'drugs-warning', 40),
    row(METRIC.searchesByOutcome, 'penalty-notice', 15),
    row(METRIC.searchesByOutcome, 'caution', 10),
    row(METRIC.searchesByOutcome, 'summons', 10),
    row(METRIC.searchesByOutcome, 'not-recorded', 5),
    row(METRIC.searchesByOutcomeLinked, 'true', 240),
    row(METRIC.searchesByOutcomeLinked, 'false', 700),
    row(METRIC.searchesByOutcomeLinked, 'null', 60),
  ],
};

const outcomeDefinition = ({ id, words }: (typeof SEARCH_OUTCOME_WORDINGS)[number]): MeasureDefinition => ({
  id: `stopsearch.outcome_rate.${id}`,
  title: `Searches with outcome: ${words.split(' (')[0]}`,
  feed: 'stop-search',
  unit: 'percent',
  direction: 'neither',
  definition:
    `Searches recorded in the period whose outcome (as last corrected) is ${words} ÷ searches recorded in the period. ` +
    'The outcome rates of all outcomes add up to 100%.',
  source: '',
  periods: FLOW_PERIOD_KINDS,
  additiveGroups: [{ total: STOPSEARCH_CELLS.searches, partsPrefix: STOPSEARCH_CELLS.outcomePrefix }],
  example,
  compute: ({ aggregates }) => [
    shareResult(aggregates.get(METRIC.searchesByOutcome, id), aggregates.total(METRIC.searches), {
      numerator: `${STOPSEARCH_CELLS.outcomePrefix}${id}`,
      denominator: STOPSEARCH_CELLS.searches,
    }),
  ],
});

/** One share of searches per normalised outcome. */
export const stopsearchOutcomeRates: readonly MeasureDefinition[] = SEARCH_OUTCOME_WORDINGS.map(outcomeDefinition);

export const stopsearchFindRate: MeasureDefinition = {
  id: 'stopsearch.find_rate',
  title: 'Searches that found what was searched for',
  feed: 'stop-search',
  unit: 'percent',
  direction: 'higher-is-better',
  definition:
    'Searches recorded in the period with outcomeLinkedToObject = true (the outcome was linked to the object of the search, as last corrected) ÷ searches recorded in the period; ' +
    'false and not recorded (null) both count as not linked.',
  source: '',
  periods: FLOW_PERIOD_KINDS,
  comparison: { scale: 100 },
  example,
  compute: ({ aggregates }) => [
    shareResult(aggregates.get(METRIC.searchesByOutcomeLinked, 'true'), aggregates.total(METRIC.searches), {
      numerator: STOPSEARCH_CELLS.outcomeLinkedToObject,
      denominator: STOPSEARCH_CELLS.searches,
    }),
  ],
};
