import { METRIC } from '../daily-metrics.ts';
import type { MeasureDefinition } from '../measure-definition.ts';
import { percentResult } from '../measure-results.ts';
import { FLOW_PERIOD_KINDS } from '../periods.ts';

/** Cell ids of the 999 answering-time counts, shared with the band measures. */
export const CALLS_999_CELLS = {
  answered: 'calls.999.answered',
  under10s: 'calls.999.answered.under_10s',
  from10sToUnder60s: 'calls.999.answered.10_to_under_60s',
  atLeast60s: 'calls.999.answered.60s_or_more',
  bandPrefix: 'calls.999.answered.',
} as const;

export const calls999AnsweredWithin10s: MeasureDefinition = {
  id: 'calls.999.answered_within_10s',
  title: '999 calls answered within 10 seconds',
  feed: 'call-handling',
  unit: 'percent',
  direction: 'higher-is-better',
  definition:
    'Of 999 calls presented in the period and answered, the share whose answering time is under 10 s, where answering time = btTransferSeconds + (answered − presented).',
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
  compute: ({ aggregates }) => {
    const answered = aggregates.total(METRIC.calls999Answered);
    // Bins are 1 s wide below 120 s and labelled by their lower bound, so bin < 10 is exactly < 10 s.
    const under10s = aggregates.sumWhere(METRIC.calls999AnswerTimeBins, ([bin]) => Number(bin) < 10);
    return [percentResult(under10s, answered, { numerator: CALLS_999_CELLS.under10s, denominator: CALLS_999_CELLS.answered }, { ci: true })];
  },
};
