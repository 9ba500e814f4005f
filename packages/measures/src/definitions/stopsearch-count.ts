import type { ETHNIC_GROUPS } from '@rollcall/contract';
import { METRIC } from '@rollcall/contract';
import type { MeasureDefinition } from '../measure-definition.ts';
import { countResult } from '../measure-results.ts';
import { FLOW_PERIOD_KINDS } from '../periods.ts';
import { row } from './measure-input-of.ts';

/**
 * Cell ids of the stop-and-search counts. Searches by ethnic group (the five census groups and
 * not recorded) add up to `searches`, and so do searches by outcome.
 */
export const STOPSEARCH_CELLS = {
  searches: 'stopsearch.searches',
  ethnicGroupPrefix: 'stopsearch.ethnic_group.',
  ethnicityRecorded: 'stopsearch.ethnicity_recorded',
  outcomePrefix: 'stopsearch.outcome.',
  outcomeLinkedToObject: 'stopsearch.outcome_linked_to_object',
  groundsReviewed: 'stopsearch.grounds_reviewed',
  groundsReasonable: 'stopsearch.grounds_reasonable',
  groundsReviewedEthnicMinority: 'stopsearch.grounds_reviewed.ethnic_minority',
  groundsReasonableEthnicMinority: 'stopsearch.grounds_reasonable.ethnic_minority',
  /** Implied: all reviewed records minus the ethnic-minority ones, which the headline and the breakdown publish. */
  groundsReviewedNotEthnicMinority: 'stopsearch.grounds_reviewed.not_ethnic_minority',
  groundsReasonableNotEthnicMinority: 'stopsearch.grounds_reasonable.not_ethnic_minority',
} as const;

/** Rows of searches by ethnic group, with the searches total (by search type) they add up to. */
export const searchRows = (byGroup: Readonly<Partial<Record<(typeof ETHNIC_GROUPS)[number], number>>>) => [
  row(
    METRIC.searches,
    'Person search',
    Object.values(byGroup).reduce((sum, n) => sum + n, 0),
  ),
  ...Object.entries(byGroup).map(([group, n]) => row(METRIC.searchesByEthnicGroup, group, n)),
];

export const stopsearchCount: MeasureDefinition = {
  id: 'stopsearch.count',
  title: 'Stop and searches',
  feed: 'stop-search',
  unit: 'count',
  direction: 'neither',
  definition:
    'Searches recorded in the period (one per person searched, as data.police.uk counts them), counted on the day of stop-search.recorded; corrections (stop-search.amended) never move a search to another day.',
  source: '',
  periods: FLOW_PERIOD_KINDS,
  example: {
    description:
      '1,450 searches in the period: 1,200 person searches, 200 vehicle searches, 50 person and vehicle searches.',
    aggregates: [
      row(METRIC.searches, 'Person search', 1_200),
      row(METRIC.searches, 'Vehicle search', 200),
      row(METRIC.searches, 'Person and Vehicle search', 50),
    ],
  },
  compute: ({ aggregates }) => [countResult(aggregates.total(METRIC.searches), STOPSEARCH_CELLS.searches)],
};
