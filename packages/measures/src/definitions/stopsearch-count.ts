import { METRIC } from '../daily-metrics.ts';
import type { MeasureDefinition } from '../measure-definition.ts';
import { countResult } from '../measure-results.ts';
import { FLOW_PERIOD_KINDS } from '../periods.ts';

export const STOPSEARCH_CELLS = {
  searches: 'stopsearch.searches',
} as const;

export const stopsearchCount: MeasureDefinition = {
  id: 'stopsearch.count',
  title: 'Stop and searches',
  feed: 'stop-search',
  unit: 'count',
  direction: 'neither',
  definition: 'Searches recorded in the period (one per person searched), counted on the day of stop-search.recorded.',
  source: '',
  periods: FLOW_PERIOD_KINDS,
  compute: ({ aggregates }) => [countResult(aggregates.total(METRIC.searches), STOPSEARCH_CELLS.searches)],
};
