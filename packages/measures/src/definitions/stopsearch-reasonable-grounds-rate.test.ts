import { describe, expect, it } from 'vitest';
import { dimOf, METRIC } from '@rollcall/contract';
import { measureInputOf, row } from './measure-input-of.ts';
import { stopsearchReasonableGroundsRate } from './stopsearch-reasonable-grounds-rate.ts';

const reviews = (counts: Readonly<Record<string, readonly [reasonable: number, not: number]>>) =>
  Object.entries(counts).flatMap(([group, [yes, no]]) => [
    row(METRIC.searchesGroundsReviewed, dimOf(group, true), yes),
    row(METRIC.searchesGroundsReviewed, dimOf(group, false), no),
  ]);

describe('stopsearch.reasonable_grounds_rate', () => {
  it('reproduces 2021: 87.4% ± 4.8 of 182 records, and 21 of 24 for ethnic-minority people', () => {
    const input = measureInputOf({
      aggregates: reviews({
        white: [130, 18],
        black: [12, 2],
        asian: [6, 1],
        mixed: [2, 0],
        other: [1, 0],
        'not-recorded': [8, 2],
      }),
    });
    const [all, ethnicMinority] = stopsearchReasonableGroundsRate.compute(input);
    expect(all).toMatchObject({ numerator: 159, denominator: 182, ci: { method: 'normal', level: 0.95 } });
    expect(all!.value!.toFixed(1)).toBe('87.4');
    expect(all!.ci!.halfWidth.toFixed(1)).toBe('4.8');
    expect(all!.ci!.wilson).toBeUndefined();
    expect(ethnicMinority).toMatchObject({ breakdown: { group: 'ethnic-minority' }, numerator: 21, denominator: 24 });
    expect(ethnicMinority!.value).toBe(87.5);
    // 24 records is a small sample: the Wilson interval comes with the normal one.
    expect(ethnicMinority!.ci!.wilson!.lower).toBeCloseTo(69.0, 1);
    expect(ethnicMinority!.ci!.wilson!.upper).toBeCloseTo(95.7, 1);
  });

  it('reproduces 2019: 86.5% ± 4.3 of 244 records', () => {
    const [all] = stopsearchReasonableGroundsRate.compute(
      measureInputOf({ aggregates: reviews({ white: [200, 30], black: [11, 3] }) }),
    );
    expect(all).toMatchObject({ numerator: 211, denominator: 244 });
    expect(all!.value!.toFixed(1)).toBe('86.5');
    expect(all!.ci!.halfWidth.toFixed(1)).toBe('4.3');
  });

  it('has no value or interval without reviews', () => {
    const [all, ethnicMinority] = stopsearchReasonableGroundsRate.compute(measureInputOf());
    expect(all).toMatchObject({ value: null, ci: null, denominator: 0 });
    expect(ethnicMinority).toMatchObject({ value: null, ci: null, denominator: 0 });
  });
});
