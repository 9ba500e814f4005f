import { METRIC } from '@rollcall/contract';
import type { MeasureDefinition } from '../measure-definition.ts';
import { FLOW_PERIOD_KINDS } from '../periods.ts';
import { ETHNIC_GROUPS } from '@rollcall/contract';
import { STOPSEARCH_CELLS, searchRows } from './stopsearch-count.ts';
import { shareResult } from './share-result.ts';

export const stopsearchEthnicityRecordedRate: MeasureDefinition = {
  id: 'stopsearch.ethnicity_recorded_rate',
  title: 'Searches with a usable ethnicity',
  feed: 'stop-search',
  unit: 'percent',
  direction: 'higher-is-better',
  definition:
    'Searches recorded in the period whose person has a usable ethnicity ÷ searches recorded in the period. Usable: the self-defined ethnicity maps to one of the five census groups, ' +
    'or, where self-defined is missing or "Not stated", the officer-defined ethnicity does. An unrecognised string counts as not recorded (and is reported on the record), never as White. ' +
    'Vehicle-only searches, which have no person details, count as not recorded.',
  source:
    '"a stop and search record can\'t be submitted unless the ethnicity ... is properly recorded" (HMICFRS PEEL).',
  periods: FLOW_PERIOD_KINDS,
  comparison: { scale: 100 },
  additiveGroups: [{ total: STOPSEARCH_CELLS.searches, partsPrefix: STOPSEARCH_CELLS.ethnicGroupPrefix }],
  example: {
    description:
      '6,400 searches: 5,600 with a usable ethnicity (4,800 White, 800 in the other four groups), 800 not recorded.',
    aggregates: searchRows({ white: 4_800, asian: 180, black: 420, mixed: 160, other: 40, 'not-recorded': 800 }),
  },
  compute: ({ aggregates }) => {
    const notRecorded = aggregates.get(METRIC.searchesByEthnicGroup, 'not-recorded');
    const recorded = ETHNIC_GROUPS.filter((group) => group !== 'not-recorded').reduce(
      (sum, group) => sum + aggregates.get(METRIC.searchesByEthnicGroup, group),
      0,
    );
    // The complement, searches − recorded, is the not-recorded ethnic group: carried, so that the
    // ethnic groups' additive group (whose other parts disproportionality publishes) holds it too.
    const notRecordedCell = `${STOPSEARCH_CELLS.ethnicGroupPrefix}not-recorded`;
    return [
      shareResult(
        recorded,
        aggregates.total(METRIC.searches),
        {
          numerator: STOPSEARCH_CELLS.ethnicityRecorded,
          denominator: STOPSEARCH_CELLS.searches,
          complement: notRecordedCell,
        },
        { extraCells: { [notRecordedCell]: notRecorded } },
      ),
    ];
  },
};
