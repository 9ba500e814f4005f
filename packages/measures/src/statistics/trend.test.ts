import { describe, expect, it } from 'vitest';
import { trend, trendRule } from './trend.ts';

describe('trend', () => {
  it.each([
    [100, 100, 'Stable', 0],
    [104.9, 100, 'Stable', 4.9],
    [105, 100, 'Stable', 5],
    [95, 100, 'Stable', -5],
    [105.1, 100, 'Moderate increase', 5.1],
    [94.9, 100, 'Moderate reduction', -5.1],
    [115, 100, 'Moderate increase', 15],
    [85, 100, 'Moderate reduction', -15],
    [115.1, 100, 'Strong increase', 15.1],
    [84.9, 100, 'Strong reduction', -15.1],
    [300, 100, 'Strong increase', 200],
    [0, 100, 'Strong reduction', -100],
  ] as const)('%s against %s is %s (%s%%)', (current, previous, label, change) => {
    const result = trend(current, previous);
    expect(result?.label).toBe(label);
    expect(result?.changePercent).toBeCloseTo(change, 9);
  });

  it('keeps exact thresholds in the inner band despite binary rounding', () => {
    // (0.315 − 0.3) ÷ 0.3 is 5.0000000000000044% in doubles, and 0.345 is 14.999999999999995%.
    expect(trend(0.315, 0.3)).toMatchObject({ label: 'Stable', changePercent: 5 });
    expect(trend(0.285, 0.3)).toMatchObject({ label: 'Stable', changePercent: -5 });
    expect(trend(0.345, 0.3)).toMatchObject({ label: 'Moderate increase', changePercent: 15 });
  });

  it('measures change against |previous| so the sign follows the direction', () => {
    expect(trend(-5, -10)).toMatchObject({ label: 'Strong increase', changePercent: 50 });
  });

  it('gives no trend when the earlier value is 0 or either value is missing', () => {
    expect(trend(12, 0)).toBeNull();
    expect(trend(0, 0)).toBeNull();
    expect(trend(null, 100)).toBeNull();
    expect(trend(100, null)).toBeNull();
  });

  it('takes thresholds as parameters and states them in the rule', () => {
    const result = trend(108, 100, { stablePercent: 10, strongPercent: 20 });
    expect(result?.label).toBe('Stable');
    expect(result?.rule).toEqual({
      comparedWith: 'same measure 12 months earlier',
      change: 'relative, percent of the earlier value',
      stablePercent: 10,
      strongPercent: 20,
      boundaries:
        '|change| ≤ 10%: Stable; 10% < |change| ≤ 20%: Moderate increase/reduction; ' +
        '|change| > 20%: Strong increase/reduction',
    });
    expect(trend(121, 100, { stablePercent: 10, strongPercent: 20 })?.label).toBe('Strong increase');
  });

  it('states the default 5% / 15% rule', () => {
    expect(trendRule()).toMatchObject({ stablePercent: 5, strongPercent: 15 });
  });

  it('rejects thresholds that are not 0 ≤ stable < strong', () => {
    expect(() => trend(1, 1, { stablePercent: 15, strongPercent: 5 })).toThrow(RangeError);
    expect(() => trend(1, 1, { stablePercent: -1, strongPercent: 5 })).toThrow(RangeError);
    expect(() => trendRule({ stablePercent: 5, strongPercent: Number.NaN })).toThrow(RangeError);
  });

  it('rejects non-finite values', () => {
    expect(() => trend(Number.NaN, 100)).toThrow(RangeError);
  });
});
