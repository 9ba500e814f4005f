import { describe, expect, it } from 'vitest';
import { rankIntervals, rankWithIntervalLabel, scoreInterval } from './rank-interval.ts';

/*
 * Hand-worked example, checked independently in Python (statistics.NormalDist):
 * K = 4 forces, α = 0.05, so each interval is at 1 − 0.05/4 and z = Φ⁻¹(1 − 0.00625) = 2.49771.
 * Wilson intervals: A 90/100 → 0.8001–0.9529; B 80/100 → 0.6839–0.8809; C 50/100 → 0.3788–0.6212;
 * D 85/100 → 0.7405–0.9184. Higher is better. A, B and D all meet each other, and each is surely
 * above C (C's upper 0.6212 < their lowers): A, B, D rank 1st to 3rd; C is surely 4th.
 */
const FIGURES = [
  { force: 'A', numerator: 90, denominator: 100 },
  { force: 'B', numerator: 80, denominator: 100 },
  { force: 'C', numerator: 50, denominator: 100 },
  { force: 'D', numerator: 85, denominator: 100 },
];

describe('rankIntervals (Klein, Wright and Wieczorek 2020)', () => {
  it('reproduces the hand-worked example', () => {
    const intervals = rankIntervals(FIGURES, 'higher-is-better');
    expect(Object.fromEntries([...intervals].map(([force, i]) => [force, `${i.best}-${i.worst}`]))).toEqual({
      A: '1-3',
      B: '1-3',
      C: '4-4',
      D: '1-3',
    });
    expect(intervals.get('A')).toMatchObject({ of: 4, level: 0.95, method: 'klein-wright-wieczorek-2020' });
    const wilsonA = scoreInterval(90, 100, 2.4977054744123737);
    expect(wilsonA.lower).toBeCloseTo(0.8001, 4);
    expect(wilsonA.upper).toBeCloseTo(0.9529, 4);
  });

  it('turns round when lower is better', () => {
    const intervals = rankIntervals(FIGURES, 'lower-is-better');
    expect(intervals.get('C')).toMatchObject({ best: 1, worst: 1 });
    expect(intervals.get('A')).toMatchObject({ best: 2, worst: 4 });
  });

  it('narrows with larger counts, and always holds the point rank', () => {
    const large = FIGURES.map((f) => ({ ...f, numerator: f.numerator * 100, denominator: f.denominator * 100 }));
    const intervals = rankIntervals(large, 'higher-is-better');
    expect(Object.fromEntries([...intervals].map(([force, i]) => [force, `${i.best}-${i.worst}`]))).toEqual({
      A: '1-1',
      D: '2-2',
      B: '3-3',
      C: '4-4',
    });
  });

  it('uses the Poisson score interval for a count that can exceed its denominator', () => {
    const rate = scoreInterval(150, 100, 1.959963984540054);
    expect(rate.lower).toBeLessThan(1.5);
    expect(rate.upper).toBeGreaterThan(1.5);
    // ((150 + z²/2) ± z·√(150 + z²/4)) / 100, z = 1.96: 1.2784 to 1.7600 (checked in Python).
    expect(rate.lower).toBeCloseTo(1.2784, 4);
    expect(rate.upper).toBeCloseTo(1.76, 4);
  });

  it('labels a rank with its interval as a report prints it', () => {
    expect(
      rankWithIntervalLabel(3, { best: 2, worst: 5, of: 8, level: 0.95, method: 'klein-wright-wieczorek-2020' }),
    ).toBe('3rd of 8 (2nd to 5th)');
    expect(
      rankWithIntervalLabel(4, { best: 4, worst: 4, of: 4, level: 0.95, method: 'klein-wright-wieczorek-2020' }),
    ).toBe('4th of 4 (surely 4th)');
    expect(
      rankWithIntervalLabel(11, { best: 1, worst: 12, of: 12, level: 0.95, method: 'klein-wright-wieczorek-2020' }),
    ).toBe('11th of 12 (1st to 12th)');
  });
});
