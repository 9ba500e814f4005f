import { describe, expect, it } from 'vitest';
import { nationalOutliers, type ForceValue } from './outlier-band.ts';

const forces = (values: readonly (number | null)[]): ForceValue[] =>
  values.map((value, i) => ({ force: `force-${i + 1}`, value }));

const flags = (values: readonly (number | null)[]) => nationalOutliers(forces(values)).forces.map((f) => f.flag);

describe('nationalOutliers on roughly normal values', () => {
  // 2, 4, 4, 4, 5, 5, 7, 9: mean 40/8 = 5; squared deviations 9+1+1+1+0+0+4+16 = 32;
  // sample SD √(32/7) = 2.1380899; band 2.8619101 to 7.1380899.
  // Shapiro–Wilk W = 0.916634, p = 0.403150 (SciPy 1.17): normal, so the band is linear.
  const values = [2, 4, 4, 4, 5, 5, 7, 9];

  it('uses mean ± 1 sample SD of the values', () => {
    const { band } = nationalOutliers(forces(values));
    expect(band).toEqual({
      scale: 'linear',
      mean: 5,
      sd: expect.closeTo(2.1380899, 7),
      lower: expect.closeTo(2.8619101, 7),
      upper: expect.closeTo(7.1380899, 7),
      n: 8,
      normal: true,
      normality: {
        alpha: 0.05,
        linear: { w: expect.closeTo(0.916634, 6), pValue: expect.closeTo(0.40315, 5), n: 8 },
        log: null,
      },
    });
  });

  it('flags only the forces strictly outside the band', () => {
    expect(flags(values)).toEqual(['well below', null, null, null, null, null, null, 'well above']);
  });

  it('flags a force with an interval only when the whole interval is outside the band (a funnel plot’s rule)', () => {
    const withIntervals: ForceValue[] = values.map((value, i) => ({ force: `f${i}`, value }));
    // The 2 is uncertain enough to reach the band (2.86); the 9 is certain to be above it (7.14).
    withIntervals[0] = { force: 'f0', value: 2, interval: { lower: 1, upper: 3 } };
    withIntervals[7] = { force: 'f7', value: 9, interval: { lower: 8, upper: 10 } };
    expect(nationalOutliers(withIntervals).forces.map((f) => f.flag)).toEqual([
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      'well above',
    ]);
    withIntervals[7] = { force: 'f7', value: 9, interval: { lower: 7, upper: 11 } };
    expect(nationalOutliers(withIntervals).forces[7]!.flag).toBeNull();
  });
});

describe('nationalOutliers on skewed (lognormal-looking) values', () => {
  // e¹, e², e², e³, e³, e³, e³, e⁴, e⁴, e⁵ (2.7 to 148.4). On the values: W = 0.698458,
  // p = 0.000844, not normal; mean 35.5448 ± SD 43.5690 would give −8.02 to 79.11, flagging e⁵
  // only. Their logs 1, 2, 2, 3, 3, 3, 3, 4, 4, 5: W = 0.952877, p = 0.702589, normal; mean 3,
  // squared deviations 4+1+1+0+0+0+0+1+1+4 = 12, SD √(12/9) = 1.1547005; band
  // e^1.8452995 = 6.3299951 to e^4.1547005 = 63.7328761, which also flags e¹.
  const values = [1, 2, 2, 3, 3, 3, 3, 4, 4, 5].map(Math.exp);

  it('computes the band on logs and exponentiates it back', () => {
    const { band } = nationalOutliers(forces(values));
    expect(band).toEqual({
      scale: 'log',
      mean: expect.closeTo(3, 12),
      sd: expect.closeTo(1.1547005, 7),
      lower: expect.closeTo(6.3299951, 7),
      upper: expect.closeTo(63.7328761, 7),
      n: 10,
      normal: true,
      normality: {
        alpha: 0.05,
        linear: { w: expect.closeTo(0.698458, 6), pValue: expect.closeTo(0.000844, 6), n: 10 },
        log: { w: expect.closeTo(0.952877, 6), pValue: expect.closeTo(0.702589, 6), n: 10 },
      },
    });
  });

  it('flags against the log band', () => {
    expect(flags(values)).toEqual(['well below', null, null, null, null, null, null, null, null, 'well above']);
  });
});

describe('nationalOutliers when neither scale is normal', () => {
  // Nine forces at 1 and three at 10: both the values and their logs give W = 0.552104,
  // p = 0.0000440. Linear band: mean 39/12 = 3.25; squared deviations 9·2.25² + 3·6.75² = 182.25;
  // SD √(182.25/11) = 4.0704032; band −0.8204032 to 7.3204032.
  it('falls back to the linear band and says it is not normal', () => {
    const values = [1, 1, 1, 1, 1, 1, 1, 1, 1, 10, 10, 10];
    const { band, forces: result } = nationalOutliers(forces(values));
    expect(band).toMatchObject({
      scale: 'linear',
      mean: 3.25,
      sd: expect.closeTo(4.0704032, 7),
      lower: expect.closeTo(-0.8204032, 7),
      upper: expect.closeTo(7.3204032, 7),
      normal: false,
    });
    expect(band?.normality.linear?.pValue).toBeCloseTo(0.000044, 6);
    expect(band?.normality.log?.pValue).toBeCloseTo(0.000044, 6);
    expect(result.filter((f) => f.flag === 'well above')).toHaveLength(3);
    expect(result.filter((f) => f.flag === 'well below')).toHaveLength(0);
  });

  it('does not try logs when a value is 0 or negative', () => {
    const { band } = nationalOutliers(forces([-3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 20]));
    expect(band?.scale).toBe('linear');
    expect(band?.normal).toBe(false);
    expect(band?.normality.linear?.pValue).toBeCloseTo(0.0000069, 7);
    expect(band?.normality.log).toBeNull();
  });
});

describe('nationalOutliers edge cases', () => {
  it('leaves out forces without data, and keeps them in the output unflagged', () => {
    const result = nationalOutliers(forces([2, null, 4, 4, 4, 5, 5, 7, 9]));
    expect(result.band?.n).toBe(8);
    expect(result.band?.mean).toBe(5);
    expect(result.forces[1]).toEqual({ force: 'force-2', value: null, flag: null });
    expect(result.forces[0]?.flag).toBe('well below');
  });

  it('gives no band and no flags with fewer than 3 forces with data', () => {
    const result = nationalOutliers(forces([1, null, 100]));
    expect(result.band).toBeNull();
    expect(result.forces.map((f) => f.flag)).toEqual([null, null, null]);
    expect(nationalOutliers([]).band).toBeNull();
  });

  it('gives a zero-width band and flags nobody when all values are equal', () => {
    const { band, forces: result } = nationalOutliers(forces([0.3, 0.1 + 0.2, 0.3, 0.3]));
    expect(band).toMatchObject({ scale: 'linear', sd: expect.closeTo(0, 12), normal: false });
    expect(band?.normality).toEqual({ alpha: 0.05, linear: null, log: null });
    expect(result.every((f) => f.flag === null)).toBe(true);
  });

  it('counts a value exactly on a limit as inside', () => {
    // 1, 2, 3: mean 2, SD 1, band 1 to 3 exactly.
    const result = nationalOutliers(forces([1, 2, 3]));
    expect(result.band).toMatchObject({ lower: 1, upper: 3 });
    expect(result.forces.map((f) => f.flag)).toEqual([null, null, null]);
  });

  it('rejects non-finite values and a meaningless alpha', () => {
    expect(() => nationalOutliers(forces([1, 2, Number.NaN]))).toThrow(RangeError);
    expect(() => nationalOutliers(forces([1, 2, 3]), 0)).toThrow(RangeError);
  });
});
