import { describe, expect, it } from 'vitest';
import { isTimeBinEdge, timeBinOf, timeBinUpper } from './time-bins.ts';

describe('time bins', () => {
  it('puts times in 1 s bins below two minutes, so the 10 s and 60 s bands are exact', () => {
    expect(timeBinOf(0)).toBe(0);
    expect(timeBinOf(8_100)).toBe(8);
    expect(timeBinOf(9_999)).toBe(9);
    expect(timeBinOf(10_000)).toBe(10);
    expect(timeBinOf(59_999)).toBe(59);
    expect(timeBinOf(60_000)).toBe(60);
    expect(timeBinUpper(9)).toBe(10);
  });

  it('widens the bins for longer times', () => {
    expect(timeBinOf(121_000)).toBe(120);
    expect(timeBinUpper(120)).toBe(125);
    expect(timeBinOf(3_599_000)).toBe(3_570);
    expect(timeBinOf(7_200_000)).toBe(7_200);
    expect(timeBinUpper(7_200)).toBe(7_500);
  });

  it('says which thresholds are exact', () => {
    expect(isTimeBinEdge(60)).toBe(true);
    expect(isTimeBinEdge(119)).toBe(true);
    expect(isTimeBinEdge(122)).toBe(false);
    expect(isTimeBinEdge(300)).toBe(true);
  });

  it('makes every bin contiguous: each upper bound is the next lower bound', () => {
    for (let lower = 0; lower < 10_000; lower = timeBinUpper(lower)) {
      const upper = timeBinUpper(lower);
      expect(timeBinOf(upper * 1000 - 1)).toBe(lower);
      expect(timeBinOf(upper * 1000)).toBe(upper);
    }
  });
});
