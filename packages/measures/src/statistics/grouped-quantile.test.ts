import { describe, expect, it } from 'vitest';
import { groupedMedian, groupedQuantile, type Bin } from './grouped-quantile.ts';

// A textbook frequency table, N = 55: cumulative counts 5, 13, 33, 48, 55.
const bins: Bin[] = [
  { lower: 0, upper: 10, count: 5 },
  { lower: 10, upper: 20, count: 8 },
  { lower: 20, upper: 30, count: 20 },
  { lower: 30, upper: 40, count: 15 },
  { lower: 40, upper: 50, count: 7 },
];

describe('groupedMedian', () => {
  it('interpolates in the median bin: 20 + (27.5 − 13) / 20 × 10 = 27.25', () => {
    expect(groupedMedian(bins)).toBeCloseTo(27.25, 12);
  });

  it('does not depend on the order of the bins', () => {
    expect(groupedMedian([...bins].reverse())).toBeCloseTo(27.25, 12);
  });

  it('is null with no observations', () => {
    expect(groupedMedian([])).toBeNull();
    expect(groupedMedian([{ lower: 0, upper: 10, count: 0 }])).toBeNull();
  });
});

describe('groupedQuantile', () => {
  it('p90: 40 + (49.5 − 48) / 7 × 10 = 42.142857', () => {
    expect(groupedQuantile(bins, 0.9)).toBeCloseTo(42.142857, 6);
  });

  it('p = 0 and p = 1 are the outer bounds of the occupied bins', () => {
    expect(groupedQuantile(bins, 0)).toBe(0);
    expect(groupedQuantile(bins, 1)).toBe(50);
  });

  it('puts a quantile on a cumulative edge at the top of its bin, even across a gap', () => {
    // 10 in [0, 10), 10 in [20, 30): the median is at 10, where the first half ends.
    const gapped: Bin[] = [
      { lower: 0, upper: 10, count: 10 },
      { lower: 10, upper: 20, count: 0 },
      { lower: 20, upper: 30, count: 10 },
    ];
    expect(groupedMedian(gapped)).toBe(10);
    // 100 observations in [0, 55) and [60, 105): p55 ends the first bin despite 0.55 × 100
    // being 55.00000000000001 in doubles.
    const edge: Bin[] = [
      { lower: 0, upper: 55, count: 55 },
      { lower: 60, upper: 105, count: 45 },
    ];
    expect(groupedQuantile(edge, 0.55)).toBe(55);
  });

  it('rejects overlapping, inverted or infinite bins and bad counts', () => {
    expect(() =>
      groupedMedian([
        { lower: 0, upper: 10, count: 1 },
        { lower: 5, upper: 15, count: 1 },
      ]),
    ).toThrow(RangeError);
    expect(() => groupedMedian([{ lower: 10, upper: 0, count: 1 }])).toThrow(RangeError);
    expect(() => groupedMedian([{ lower: 0, upper: Number.POSITIVE_INFINITY, count: 1 }])).toThrow(RangeError);
    expect(() => groupedMedian([{ lower: 0, upper: 10, count: 2.5 }])).toThrow(RangeError);
    expect(() => groupedQuantile(bins, -0.1)).toThrow(RangeError);
  });
});
