import { describe, expect, it } from 'vitest';
import { medianOfCounts, quantileOfCounts, type ValueCount } from './quantile-of-counts.ts';

const counts = (table: Record<number, number>): ValueCount[] =>
  Object.entries(table).map(([value, count]) => ({ value: Number(value), count }));

// Days to outcome. Ranks in ascending order: 0 at 1–3, 1 at 4–8, 2 at 9–12, 5 at 13–14, 10 at 15.
const odd = counts({ 0: 3, 1: 5, 2: 4, 5: 2, 10: 1 });
// The same plus one case at 20 days: 16 cases, 20 at rank 16.
const even = counts({ 0: 3, 1: 5, 2: 4, 5: 2, 10: 1, 20: 1 });

describe('medianOfCounts', () => {
  it('takes the middle case of an odd total: rank 8 of 15 is 1 day', () => {
    expect(medianOfCounts(odd)).toBe(1);
  });

  it('averages the two middle cases of an even total: ranks 8 and 9 of 16 are 1 and 2', () => {
    expect(medianOfCounts(even)).toBe(1.5);
  });

  it('does not depend on the order of the table, duplicates or zero counts', () => {
    const shuffled = [
      { value: 10, count: 1 },
      { value: 2, count: 4 },
      { value: 7, count: 0 },
      { value: 0, count: 3 },
      { value: 5, count: 2 },
      { value: 1, count: 2 },
      { value: 1, count: 3 },
    ];
    expect(medianOfCounts(shuffled)).toBe(1);
  });

  it('is null with no observations', () => {
    expect(medianOfCounts([])).toBeNull();
    expect(medianOfCounts(counts({ 3: 0 }))).toBeNull();
  });

  it('rejects fractional or negative counts', () => {
    expect(() => medianOfCounts(counts({ 1: 1.5 }))).toThrow(RangeError);
    expect(() => medianOfCounts(counts({ 1: -1 }))).toThrow(RangeError);
  });
});

describe('quantileOfCounts (nearest rank)', () => {
  it('p90 of 15 cases is the case at rank ⌈13.5⌉ = 14: 5 days', () => {
    expect(quantileOfCounts(odd, 0.9)).toBe(5);
  });

  it('p90 of 16 cases is the case at rank ⌈14.4⌉ = 15: 10 days', () => {
    expect(quantileOfCounts(even, 0.9)).toBe(10);
  });

  it('takes exactly p·N when it is whole: p80 of 15 is rank 12, 2 days', () => {
    expect(quantileOfCounts(odd, 0.8)).toBe(2);
  });

  it('is not pushed a rank up by rounding: p55 of 1..100 is 55, not 56', () => {
    const oneEach = Array.from({ length: 100 }, (_, i) => ({ value: i + 1, count: 1 }));
    expect(quantileOfCounts(oneEach, 0.55)).toBe(55);
  });

  it('gives the minimum at p = 0 and the maximum at p = 1', () => {
    expect(quantileOfCounts(odd, 0)).toBe(0);
    expect(quantileOfCounts(odd, 1)).toBe(10);
  });

  it('is null with no observations and rejects p outside [0, 1]', () => {
    expect(quantileOfCounts([], 0.9)).toBeNull();
    expect(() => quantileOfCounts(odd, 1.5)).toThrow(RangeError);
    expect(() => quantileOfCounts(odd, Number.NaN)).toThrow(RangeError);
  });
});
