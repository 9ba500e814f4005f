import { describe, expect, it } from 'vitest';
import { METRIC } from '@rollcall/contract';
import {
  calls999MeanAnswerSeconds,
  calls999MedianAnswerSeconds,
  calls999P90AnswerSeconds,
} from './calls-999-answer-time-measures.ts';
import { calls999Rows } from './calls-999-answered-within-10s.ts';
import { measureInputOf, row } from './measure-input-of.ts';

describe('999 answering time: mean, median, 90th percentile', () => {
  // 20 calls: 9 in [5, 6) s, 8 in [8, 9) s, 2 in [30, 31) s, 1 in [130, 135) s; 305.2 s in all.
  const input = measureInputOf({
    aggregates: [...calls999Rows({ 5: 9, 8: 8, 30: 2, 130: 1 }), row(METRIC.calls999AnswerMs, '', 305_200)],
  });

  it('gives the mean as total seconds ÷ calls answered, exact to the millisecond', () => {
    const [mean] = calls999MeanAnswerSeconds.compute(input);
    expect(mean).toMatchObject({ numerator: 305.2, denominator: 20, cells: { 'calls.999.answered': 20 } });
    expect(mean!.value).toBeCloseTo(15.26, 10);
  });

  it('interpolates the median within its 1 s bin: 8 + (10 − 9) ÷ 8', () => {
    expect(calls999MedianAnswerSeconds.compute(input)).toEqual([
      { value: 8.125, numerator: null, denominator: 20, cells: { 'calls.999.answered': 20 } },
    ]);
  });

  it('interpolates the 90th percentile: the 18th of 20 calls is half way into [30, 31)', () => {
    expect(calls999P90AnswerSeconds.compute(input)[0]).toMatchObject({ value: 30.5, numerator: null, denominator: 20 });
  });

  it('uses the bin widths beyond two minutes (5 s up to 10 minutes)', () => {
    const slow = measureInputOf({ aggregates: calls999Rows({ 125: 4 }) });
    expect(calls999MedianAnswerSeconds.compute(slow)[0]!.value).toBe(127.5);
  });

  it('has no value without answered calls', () => {
    for (const measure of [calls999MeanAnswerSeconds, calls999MedianAnswerSeconds, calls999P90AnswerSeconds]) {
      expect(measure.compute(measureInputOf())[0]).toMatchObject({ value: null, denominator: 0 });
    }
  });
});
