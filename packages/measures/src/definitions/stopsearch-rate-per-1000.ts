import { METRIC } from '@rollcall/contract';
import type { MeasureDefinition } from '../measure-definition.ts';
import { derivedResult } from '../measure-results.ts';
import { FLOW_PERIOD_KINDS } from '../periods.ts';
import { AVON_AND_SOMERSET_POPULATION, row } from './measure-input-of.ts';
import { STOPSEARCH_CELLS } from './stopsearch-count.ts';

export const stopsearchRatePer1000: MeasureDefinition = {
  id: 'stopsearch.rate_per_1000',
  title: 'Stop and searches per 1,000 residents',
  feed: 'stop-search',
  unit: 'per-1000',
  direction: 'lower-is-better',
  definition:
    "Searches recorded in the period ÷ resident population × 1,000; the population is the force area's residents in the population vintage of the snapshot (census-2011). " +
    'The rate is for the period as it is, not annualised: the rolling-12-months rate is the headline. Numerator: searches; denominator: residents. ' +
    'No value ([z]) without a population. Compared across forces (weighted MSG average: all searches ÷ all residents); the direction only orders the MSG rank (1 = lowest rate) and does not say a low rate is good practice in itself.',
  source: 'The PCC\'s performance report: "12 Month Rolling Rates Per 1000 Residents".',
  periods: FLOW_PERIOD_KINDS,
  comparison: { scale: 1_000 },
  example: {
    description: '6,400 searches in 12 months in Avon and Somerset (1,599,555 residents in the 2011 Census).',
    aggregates: [row(METRIC.searches, 'Person search', 6_400)],
    population: AVON_AND_SOMERSET_POPULATION,
  },
  compute: ({ aggregates, population }) => {
    const searches = aggregates.total(METRIC.searches);
    const residents = population?.residents ?? null;
    const cells = { [STOPSEARCH_CELLS.searches]: searches };
    return [derivedResult(residents ? (searches / residents) * 1_000 : null, searches, residents, cells)];
  },
};
