import { METRIC } from '@rollcall/contract';
import type { MeasureDefinition } from '../measure-definition.ts';
import { FLOW_PERIOD_KINDS } from '../periods.ts';
import { row } from './measure-input-of.ts';
import { shareResult } from './share-result.ts';

/**
 * Cell ids of the 999 counts, shared by every 999 measure: the three answering-time bands add
 * up to the calls answered (their ids start with `bandPrefix`, and nothing else's does).
 */
export const CALLS_999_CELLS = {
  presented: 'calls.999.presented',
  answered: 'calls.999.answered',
  abandoned: 'calls.999.abandoned',
  under10s: 'calls.999.answered.under_10s',
  from10sToUnder60s: 'calls.999.answered.10_to_under_60s',
  atLeast60s: 'calls.999.answered.60s_or_more',
  bandPrefix: 'calls.999.answered.',
} as const;

/** Aggregate rows of `answered` 999 calls with the given answering-time bins (lower bound in s → count). */
export const calls999Rows = (bins: Readonly<Record<number, number>>) => {
  const answered = Object.values(bins).reduce((sum, count) => sum + count, 0);
  return [
    row(METRIC.calls999Answered, '', answered),
    ...Object.entries(bins).map(([bin, count]) => row(METRIC.calls999AnswerTimeBins, bin, count)),
  ];
};

/** The published figure as aggregates: the example of every 999 band measure. */
export const CALLS_999_EXAMPLE = {
  description:
    '10,000 999 calls answered between 1 November 2021 and 31 July 2022: 8,940 in under 10 s (1,940 of them in the last bin, 9 to under 10 s), 1,000 in 10 to under 60 s (600 from 10.0 to under 11 s), 60 in 60 s or more.',
  aggregates: calls999Rows({ 4: 3_000, 7: 4_000, 9: 1_940, 10: 600, 25: 400, 75: 60 }),
};

export const calls999AnsweredWithin10s: MeasureDefinition = {
  id: 'calls.999.answered_within_10s',
  title: '999 calls answered within 10 seconds',
  feed: 'call-handling',
  unit: 'percent',
  direction: 'higher-is-better',
  definition:
    'Of 999 calls presented in the period and answered, the share whose answering time is under 10 s, where answering time = btTransferSeconds + (answered − presented). ' +
    'A call answered in exactly 10.0 s is not under 10 s. With a 95% confidence interval (normal approximation). Target: the force setting calls999AnsweredWithin10sTarget (90% nationally), met when the value is at least the target.',
  source:
    '"forces should aim to answer 90 percent of these calls within 10 seconds"; Avon and Somerset answered 89.4% between 1 November 2021 and 31 July 2022 (HMICFRS PEEL 2021/22).',
  periods: FLOW_PERIOD_KINDS,
  comparison: { scale: 100 },
  target: (settings) => ({
    value: settings.calls999AnsweredWithin10sTarget * 100,
    rule: 'at-least',
    source: 'national standard: 90% of 999 calls answered within 10 seconds',
  }),
  additiveGroups: [{ total: CALLS_999_CELLS.answered, partsPrefix: CALLS_999_CELLS.bandPrefix }],
  example: CALLS_999_EXAMPLE,
  compute: ({ aggregates }) => {
    const answered = aggregates.total(METRIC.calls999Answered);
    // Bins are 1 s wide below 120 s and labelled by their lower bound, so bin < 10 is exactly < 10 s.
    const under10s = aggregates.sumWhere(METRIC.calls999AnswerTimeBins, ([bin]) => Number(bin) < 10);
    return [
      shareResult(
        under10s,
        answered,
        { numerator: CALLS_999_CELLS.under10s, denominator: CALLS_999_CELLS.answered },
        { ci: true },
      ),
    ];
  },
};
