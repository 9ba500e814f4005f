import type { Aggregates } from '../aggregates.ts';
import { METRIC } from '@rollcall/contract';
import type { MeasureDefinition } from '../measure-definition.ts';
import { derivedResult } from '../measure-results.ts';
import { FLOW_PERIOD_KINDS } from '../periods.ts';
import { type Bin, groupedQuantile } from '../statistics/grouped-quantile.ts';
import { timeBinUpper } from '@rollcall/contract';
import { CALLS_999_CELLS, calls999Rows } from './calls-999-answered-within-10s.ts';
import { row } from './measure-input-of.ts';

/** The time bins of `metric` as grouped data: `[lower, timeBinUpper(lower))` with their counts. */
export function timeBinsOf(aggregates: Aggregates, metric: string): Bin[] {
  return [...aggregates.dims(metric)]
    .filter(([, count]) => count > 0)
    .map(([lower, count]) => ({ lower: Number(lower), upper: timeBinUpper(Number(lower)), count }));
}

/** How a quantile of binned times is read, for the definitions. */
export const BINNED_QUANTILE_RULE =
  'Times are counted in bins 1 s wide below 2 minutes, 5 s to 10 minutes, 30 s to an hour and 5 minutes beyond; the quantile is the grouped-data ' +
  'interpolation L + (p·N − F) ÷ f × w within the bin holding it (observations spread evenly across their bin), so it is exact to the bin width (1 s for times under 2 minutes). ' +
  'Numerator: none (a quantile is not a ratio); denominator: the number of calls it is taken over.';

const example = {
  description:
    '20 999 calls answered: 9 in the bin [5, 6) s, 8 in [8, 9), 2 in [30, 31) and 1 in [130, 135) s, with answering times adding up to 305.2 s.',
  aggregates: [...calls999Rows({ 5: 9, 8: 8, 30: 2, 130: 1 }), row(METRIC.calls999AnswerMs, '', 305_200)],
};

const quantileDefinition = (id: string, title: string, p: number, words: string): MeasureDefinition => ({
  id,
  title,
  feed: 'call-handling',
  unit: 'seconds',
  direction: 'lower-is-better',
  definition: `The ${words} of the answering times (btTransferSeconds + answered − presented) of 999 calls presented in the period and answered. ${BINNED_QUANTILE_RULE}`,
  source: '',
  periods: FLOW_PERIOD_KINDS,
  example,
  compute: ({ aggregates }) => {
    const answered = aggregates.total(METRIC.calls999Answered);
    const value = groupedQuantile(timeBinsOf(aggregates, METRIC.calls999AnswerTimeBins), p);
    return [derivedResult(value, null, answered, { [CALLS_999_CELLS.answered]: answered })];
  },
});

export const calls999MeanAnswerSeconds: MeasureDefinition = {
  id: 'calls.999.mean_answer_seconds',
  title: 'Mean 999 answering time',
  feed: 'call-handling',
  unit: 'seconds',
  direction: 'lower-is-better',
  definition:
    'The mean answering time (btTransferSeconds + answered − presented) of 999 calls presented in the period and answered, as police.uk publishes it. ' +
    'Numerator: the sum of their answering times in seconds (exact to the millisecond); denominator: 999 calls answered.',
  source:
    'police.uk publishes per force per month: calls answered, the three answering-time bands and the mean answer time.',
  periods: FLOW_PERIOD_KINDS,
  comparison: { scale: 1 },
  example,
  compute: ({ aggregates }) => {
    const answered = aggregates.total(METRIC.calls999Answered);
    const seconds = aggregates.total(METRIC.calls999AnswerMs) / 1000;
    return [
      derivedResult(answered > 0 ? seconds / answered : null, seconds, answered, {
        [CALLS_999_CELLS.answered]: answered,
      }),
    ];
  },
};

export const calls999MedianAnswerSeconds = quantileDefinition(
  'calls.999.median_answer_seconds',
  'Median 999 answering time',
  0.5,
  'median',
);

export const calls999P90AnswerSeconds = quantileDefinition(
  'calls.999.p90_answer_seconds',
  '90th percentile of 999 answering times',
  0.9,
  '90th percentile',
);

/** Mean, median and 90th percentile of 999 answering times. */
export const calls999AnswerTimeMeasures: readonly MeasureDefinition[] = [
  calls999MeanAnswerSeconds,
  calls999MedianAnswerSeconds,
  calls999P90AnswerSeconds,
];
