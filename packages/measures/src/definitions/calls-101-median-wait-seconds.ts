import { METRIC } from '@rollcall/contract';
import type { MeasureDefinition } from '../measure-definition.ts';
import { derivedResult } from '../measure-results.ts';
import { FLOW_PERIOD_KINDS } from '../periods.ts';
import { groupedMedian } from '../statistics/grouped-quantile.ts';
import { CALLS_101_CELLS } from './calls-abandonment-measures.ts';
import { BINNED_QUANTILE_RULE, timeBinsOf } from './calls-999-answer-time-measures.ts';
import { row } from './measure-input-of.ts';

export const calls101MedianWaitSeconds: MeasureDefinition = {
  id: 'calls.101.median_wait_seconds',
  title: 'Median 101 waiting time',
  feed: 'call-handling',
  unit: 'seconds',
  direction: 'lower-is-better',
  definition: `The median time from presented to answered of 101 calls presented in the period and answered, on either queue (the police.uk 101 headline). ${BINNED_QUANTILE_RULE}`,
  source: '',
  periods: FLOW_PERIOD_KINDS,
  example: {
    description:
      '400 101 calls answered: 150 within [20, 21) s, 100 within [45, 46) s, 100 within [130, 135) s and 50 within [900, 930) s.',
    aggregates: [
      row(METRIC.calls101Answered, '', 400),
      row(METRIC.calls101WaitBins, '20', 150),
      row(METRIC.calls101WaitBins, '45', 100),
      row(METRIC.calls101WaitBins, '130', 100),
      row(METRIC.calls101WaitBins, '900', 50),
    ],
  },
  compute: ({ aggregates }) => {
    const answered = aggregates.total(METRIC.calls101Answered);
    return [
      derivedResult(groupedMedian(timeBinsOf(aggregates, METRIC.calls101WaitBins)), null, answered, {
        [CALLS_101_CELLS.answered]: answered,
      }),
    ];
  },
};
