import { dimOf, METRIC } from '@rollcall/contract';
import type { MeasureDefinition } from '../measure-definition.ts';
import { FLOW_PERIOD_KINDS } from '../periods.ts';
import { row } from './measure-input-of.ts';
import { NON_WHITE_GROUPS } from '@rollcall/contract';
import { STOPSEARCH_CELLS } from './stopsearch-count.ts';
import { restOf, shareResult, withImplied } from './share-result.ts';

export const stopsearchReasonableGroundsRate: MeasureDefinition = {
  id: 'stopsearch.reasonable_grounds_rate',
  title: 'Reviewed searches with reasonable grounds recorded',
  feed: 'stop-search',
  unit: 'percent',
  direction: 'higher-is-better',
  definition:
    "Of stop-and-search records whose grounds were reviewed in the period (dip-sample audits, by the day of stop-search.grounds-reviewed; a record reviewed again counts once, by its latest review, on that review's day): " +
    'the share with reasonableGroundsRecorded = true, with a 95% confidence interval p ± 1.96·√(p(1−p)/n) in percentage points (the Wilson interval too when n < 30 or fewer than 5 records are on either side). ' +
    'Breakdown group = ethnic-minority: records of people in the Asian, Black, Mixed or Other groups (ethnicity as for disproportionality; White and not recorded are left out).',
  source:
    '87.4% (± 4.8%) from a sample of 182 records in 2021; 86.5% (± 4.3%) in 2019; 21 of 24 for ethnic minority people (HMICFRS PEEL).',
  periods: FLOW_PERIOD_KINDS,
  breakdowns: ['group'],
  comparison: { scale: 100 },
  example: {
    description:
      '182 records reviewed in 2021, 159 with reasonable grounds recorded; 24 of them of ethnic-minority people, 21 with reasonable grounds.',
    aggregates: [
      row(METRIC.searchesGroundsReviewed, dimOf('white', true), 130),
      row(METRIC.searchesGroundsReviewed, dimOf('white', false), 18),
      row(METRIC.searchesGroundsReviewed, dimOf('black', true), 12),
      row(METRIC.searchesGroundsReviewed, dimOf('black', false), 2),
      row(METRIC.searchesGroundsReviewed, dimOf('asian', true), 9),
      row(METRIC.searchesGroundsReviewed, dimOf('asian', false), 1),
      row(METRIC.searchesGroundsReviewed, dimOf('not-recorded', true), 8),
      row(METRIC.searchesGroundsReviewed, dimOf('not-recorded', false), 2),
    ],
  },
  compute: ({ aggregates }) => {
    const count = (where: (group: string, reasonable: boolean) => boolean) =>
      aggregates.sumWhere(METRIC.searchesGroundsReviewed, ([group = '', reasonable]) =>
        where(group, reasonable === 'true'),
      );
    const ethnicMinority = (group: string) => (NON_WHITE_GROUPS as readonly string[]).includes(group);
    const reviewed = count(() => true);
    const reasonable = count((_, reasonable) => reasonable);
    const reviewedMinority = count((group) => ethnicMinority(group));
    const reasonableMinority = count((group, reasonable) => ethnicMinority(group) && reasonable);
    const cells = STOPSEARCH_CELLS;
    // The headline beside the breakdown gives away the records of everyone else (182 − 24 reviewed,
    // 159 − 21 with grounds) and so how many of those lacked grounds: all three are implied.
    const others = [
      restOf(
        { cell: cells.groundsReviewedEthnicMinority, count: reviewedMinority },
        { cell: cells.groundsReviewed, count: reviewed },
        cells.groundsReviewedNotEthnicMinority,
      ),
      restOf(
        { cell: cells.groundsReasonableEthnicMinority, count: reasonableMinority },
        { cell: cells.groundsReasonable, count: reasonable },
        cells.groundsReasonableNotEthnicMinority,
      ),
      restOf(
        { cell: cells.groundsReasonableNotEthnicMinority, count: reasonable - reasonableMinority },
        { cell: cells.groundsReviewedNotEthnicMinority, count: reviewed - reviewedMinority },
      ),
    ];
    return [
      withImplied(
        shareResult(
          reasonable,
          reviewed,
          { numerator: cells.groundsReasonable, denominator: cells.groundsReviewed },
          { ci: true },
        ),
        ...others,
      ),
      shareResult(
        reasonableMinority,
        reviewedMinority,
        { numerator: cells.groundsReasonableEthnicMinority, denominator: cells.groundsReviewedEthnicMinority },
        { ci: true, breakdown: { group: 'ethnic-minority' } },
      ),
    ];
  },
};
