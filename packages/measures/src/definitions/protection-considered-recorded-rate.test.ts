import { describe, expect, it } from 'vitest';
import { METRIC } from '@rollcall/contract';
import { measureInputOf, row } from './measure-input-of.ts';
import { protectionConsideredRecordedRate } from './protection-considered-recorded-rate.ts';

describe('protection.considered_recorded_rate', () => {
  it('counts a recorded consideration whatever it says, over all domestic-abuse crimes', () => {
    const input = measureInputOf({
      aggregates: [
        row(METRIC.domesticAbuseCrimes, '', 1_200),
        row(METRIC.domesticAbuseProtectionConsidered, 'true', 150),
        row(METRIC.domesticAbuseProtectionConsidered, 'false', 550),
      ],
    });
    const [result] = protectionConsideredRecordedRate.compute(input);
    expect(result).toMatchObject({
      numerator: 700,
      denominator: 1_200,
      cells: { 'domestic_abuse.consideration_recorded': 700, 'domestic_abuse.crimes': 1_200 },
    });
    expect(result!.value).toBeCloseTo(58.333333333, 8);
  });

  it('has no value without crimes', () => {
    expect(protectionConsideredRecordedRate.compute(measureInputOf())[0]).toMatchObject({
      value: null,
      denominator: 0,
    });
  });
});
