import { describe, expect, it } from 'vitest';
import {
  Z_95,
  normalInterval,
  publishedProportionInterval,
  wilsonInterval,
  wilsonRecommended,
} from './proportion-interval.ts';

describe('Z_95', () => {
  it('is Φ⁻¹(0.975) = 1.959964', () => {
    expect(Z_95).toBeCloseTo(1.959964, 6);
    expect(Z_95).toBeCloseTo(1.959963984540054, 14);
  });
});

describe('normalInterval', () => {
  // HMICFRS publishes these as 87.4% ± 4.8 and 86.5% ± 4.3 percentage points.
  it('reproduces HMICFRS: 159 of 182 is 87.4% ± 4.8 points', () => {
    const interval = normalInterval(159, 182);
    expect(interval?.estimate).toBeCloseTo(0.874, 3);
    expect(interval?.halfWidth).toBeCloseTo(0.048, 3);
    expect(interval?.halfWidth).toBeCloseTo(0.0482729, 7);
    expect(interval?.lower).toBeCloseTo(0.8253535, 7);
    expect(interval?.upper).toBeCloseTo(0.9218993, 7);
    expect(interval?.z).toBe(Z_95);
  });

  it('reproduces HMICFRS: 211 of 244 is 86.5% ± 4.3 points', () => {
    const interval = normalInterval(211, 244);
    expect(interval?.estimate).toBeCloseTo(0.865, 3);
    expect(interval?.halfWidth).toBeCloseTo(0.043, 3);
    expect(interval?.halfWidth).toBeCloseTo(0.0429103, 7);
  });

  it('clamps to [0, 1] but reports the unclamped half-width', () => {
    const interval = normalInterval(29, 30);
    expect(interval?.upper).toBe(1);
    expect(interval?.lower).toBeCloseTo(0.9024326, 7);
    expect(interval?.halfWidth).toBeCloseTo(0.064234, 6);
  });

  it('uses the z it is given', () => {
    expect(normalInterval(50, 100, 1)?.halfWidth).toBeCloseTo(0.05, 12);
  });

  it('has no interval for n = 0', () => {
    expect(normalInterval(0, 0)).toBeNull();
  });

  it('rejects impossible counts', () => {
    expect(() => normalInterval(11, 10)).toThrow(RangeError);
    expect(() => normalInterval(-1, 10)).toThrow(RangeError);
    expect(() => normalInterval(Number.NaN, 10)).toThrow(RangeError);
  });
});

describe('wilsonInterval', () => {
  // Newcombe (1998), Statistics in Medicine 17, 857–872, table II, method 3 (score interval
  // without continuity correction), printed to 4 decimals.
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0.0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('%s of %s is %s to %s (Newcombe 1998)', (successes, n, lower, upper) => {
    const interval = wilsonInterval(successes, n);
    expect(interval?.lower).toBeCloseTo(lower, 4);
    expect(interval?.upper).toBeCloseTo(upper, 4);
  });

  it('0 of 10 is 0 to 0.2775, where the normal interval has zero width', () => {
    expect(wilsonInterval(0, 10)).toEqual({ lower: 0, upper: expect.closeTo(0.277533, 6) });
    expect(normalInterval(0, 10)?.halfWidth).toBe(0);
  });

  it('is symmetric about one half: 10 of 10 is 0.7225 to 1', () => {
    expect(wilsonInterval(10, 10)).toEqual({ lower: expect.closeTo(0.722467, 6), upper: 1 });
  });

  it('has no interval for n = 0', () => {
    expect(wilsonInterval(0, 0)).toBeNull();
  });
});

describe('wilsonRecommended', () => {
  it.each([
    [10, 20, true], // n < 30
    [15, 29, true], // n < 30
    [15, 30, false],
    [4, 100, true], // n·p < 5
    [5, 100, false],
    [96, 100, true], // n·(1−p) < 5
    [95, 100, false],
    [159, 182, false],
  ])('%s of %s: %s', (successes, n, expected) => {
    expect(wilsonRecommended(successes, n)).toBe(expected);
  });
});

describe('publishedProportionInterval', () => {
  it('publishes the normal interval alone for HMICFRS-sized samples', () => {
    const interval = publishedProportionInterval(159, 182);
    expect(interval).toEqual({
      method: 'normal',
      level: 0.95,
      lower: expect.closeTo(0.8253535, 7),
      upper: expect.closeTo(0.9218993, 7),
      halfWidth: expect.closeTo(0.0482729, 7),
    });
    expect(interval).not.toHaveProperty('wilson');
  });

  it('adds Wilson near 0 or 1', () => {
    expect(publishedProportionInterval(96, 100)).toEqual({
      method: 'normal',
      level: 0.95,
      lower: expect.closeTo(0.9215927, 7),
      upper: expect.closeTo(0.9984073, 7),
      halfWidth: expect.closeTo(0.0384073, 7),
      wilson: { lower: expect.closeTo(0.9016293, 7), upper: expect.closeTo(0.9843367, 7) },
    });
  });

  it('adds Wilson for small n', () => {
    expect(publishedProportionInterval(10, 20)?.wilson).toEqual({
      lower: expect.closeTo(0.299298, 6),
      upper: expect.closeTo(0.700702, 6),
    });
  });

  it('has no interval for n = 0', () => {
    expect(publishedProportionInterval(0, 0)).toBeNull();
  });
});
