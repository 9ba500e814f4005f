import { describe, expect, it } from 'vitest';
import { METRIC } from '@rollcall/contract';
import { callsRepeatVictimIdentifiedRate, callsRiskAssessedRate } from './call-assessment-measures.ts';
import { measureInputOf, row } from './measure-input-of.ts';

const input = measureInputOf({
  aggregates: [
    row(METRIC.callsAnswered, '999', 40),
    row(METRIC.callsAnswered, '101', 25),
    row(METRIC.calls999Answered, '', 40),
    row(METRIC.calls101Answered, '', 25),
    row(METRIC.callsAssessed, '999', 38),
    row(METRIC.callsAssessed, '101', 22),
    row(METRIC.callsAssessedStructuredRisk, '999', 35),
    row(METRIC.callsAssessedStructuredRisk, '101', 16),
    row(METRIC.callsAssessedRepeatVictim, '999', 9),
    row(METRIC.callsAssessedRepeatVictim, '101', 6),
  ],
});

describe('calls.risk_assessed_rate', () => {
  it('is answered calls with a structured risk assessment ÷ answered calls: 14 of 65 without one', () => {
    const [result] = callsRiskAssessedRate.compute(input);
    expect(result).toMatchObject({ numerator: 51, denominator: 65 });
    expect(result!.value).toBeCloseTo((51 / 65) * 100, 10);
  });

  it("rests on both channels' answered counts, so a suppressed one cannot be recovered from the total", () => {
    expect(callsRiskAssessedRate.compute(input)[0]!.cells).toEqual({
      'calls.assessed.structured_risk': 51,
      'calls.answered': 65,
      'calls.999.answered': 40,
      'calls.101.answered': 25,
    });
  });
});

describe('calls.repeat_victim_identified_rate', () => {
  it('is repeat victims ÷ assessed calls', () => {
    expect(callsRepeatVictimIdentifiedRate.compute(input)).toEqual([
      {
        value: 25,
        numerator: 15,
        denominator: 60,
        cells: { 'calls.assessed.repeat_victim': 15, 'calls.assessed': 60 },
        // The 45 assessed calls without a repeat victim: published by subtraction.
        impliedCells: { '(calls.assessed − calls.assessed.repeat_victim)': 45 },
        cellSums: [
          {
            total: 'calls.assessed',
            parts: ['calls.assessed.repeat_victim', '(calls.assessed − calls.assessed.repeat_victim)'],
          },
        ],
      },
    ]);
  });
});
