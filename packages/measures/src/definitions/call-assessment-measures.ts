import { METRIC } from '@rollcall/contract';
import type { MeasureDefinition } from '../measure-definition.ts';
import { FLOW_PERIOD_KINDS } from '../periods.ts';
import { CALLS_101_CELLS } from './calls-abandonment-measures.ts';
import { CALLS_999_CELLS } from './calls-999-answered-within-10s.ts';
import { row } from './measure-input-of.ts';
import { shareResult } from './share-result.ts';

export const CALL_ASSESSMENT_CELLS = {
  answered: 'calls.answered',
  assessed: 'calls.assessed',
  structuredRisk: 'calls.assessed.structured_risk',
  repeatVictim: 'calls.assessed.repeat_victim',
} as const;

const example = {
  description:
    '500 calls answered (300 999 calls, 200 101 calls); 420 of them assessed, 400 with a structured risk assessment (THRIVE), 63 callers identified as repeat victims.',
  aggregates: [
    row(METRIC.callsAnswered, '999', 300),
    row(METRIC.callsAnswered, '101', 200),
    row(METRIC.calls999Answered, '', 300),
    row(METRIC.calls101Answered, '', 200),
    row(METRIC.callsAssessed, '999', 260),
    row(METRIC.callsAssessed, '101', 160),
    row(METRIC.callsAssessedStructuredRisk, '999', 250),
    row(METRIC.callsAssessedStructuredRisk, '101', 150),
    row(METRIC.callsAssessedRepeatVictim, '999', 40),
    row(METRIC.callsAssessedRepeatVictim, '101', 23),
  ],
};

export const callsRiskAssessedRate: MeasureDefinition = {
  id: 'calls.risk_assessed_rate',
  title: 'Answered calls with a structured risk assessment',
  feed: 'call-handling',
  unit: 'percent',
  direction: 'higher-is-better',
  definition:
    'Calls (999 and 101) presented in the period and answered whose call.assessed has structuredRiskAssessment = true (a THRIVE assessment recorded; the latest assessment of a call is the one on record) ÷ calls presented in the period and answered. ' +
    'An answered call without call.assessed counts as not assessed.',
  source:
    '"in 14 of 65 cases ... vulnerability wasn\'t assessed using a structured risk assessment (THRIVE)" (HMICFRS PEEL).',
  periods: FLOW_PERIOD_KINDS,
  comparison: { scale: 100 },
  example,
  compute: ({ aggregates }) => {
    const answered999 = aggregates.total(METRIC.calls999Answered);
    const answered101 = aggregates.total(METRIC.calls101Answered);
    // The channels' answered counts are published elsewhere, so the total rests on both: were
    // one of them suppressed, the total would give it away by subtraction.
    return [
      shareResult(
        aggregates.total(METRIC.callsAssessedStructuredRisk),
        aggregates.total(METRIC.callsAnswered),
        { numerator: CALL_ASSESSMENT_CELLS.structuredRisk, denominator: CALL_ASSESSMENT_CELLS.answered },
        { extraCells: { [CALLS_999_CELLS.answered]: answered999, [CALLS_101_CELLS.answered]: answered101 } },
      ),
    ];
  },
};

export const callsRepeatVictimIdentifiedRate: MeasureDefinition = {
  id: 'calls.repeat_victim_identified_rate',
  title: 'Assessed calls identifying a repeat victim',
  feed: 'call-handling',
  unit: 'percent',
  direction: 'neither',
  definition:
    'Calls presented in the period, answered and assessed whose (latest) call.assessed has repeatVictim = true ÷ calls presented in the period, answered and assessed (999 and 101).',
  source: '',
  periods: FLOW_PERIOD_KINDS,
  example,
  compute: ({ aggregates }) => [
    shareResult(aggregates.total(METRIC.callsAssessedRepeatVictim), aggregates.total(METRIC.callsAssessed), {
      numerator: CALL_ASSESSMENT_CELLS.repeatVictim,
      denominator: CALL_ASSESSMENT_CELLS.assessed,
    }),
  ],
};

/** Risk assessment and repeat-victim identification on answered calls. */
export const callAssessmentMeasures: readonly MeasureDefinition[] = [
  callsRiskAssessedRate,
  callsRepeatVictimIdentifiedRate,
];
