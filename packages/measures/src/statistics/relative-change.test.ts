import { describe, expect, it } from 'vitest';
import { relativeChangePercent } from './relative-change.ts';

describe('relativeChangePercent', () => {
  it('is the change in percent of the reference', () => {
    expect(relativeChangePercent(110, 100)).toBe(10);
    expect(relativeChangePercent(75, 100)).toBe(-25);
    expect(relativeChangePercent(0.8, 0.8256756756756757)).toBeCloseTo(-3.109656, 6);
  });

  it('removes binary rounding noise at round thresholds', () => {
    // In doubles (0.315 − 0.3) × 100 / 0.3 = 5.000000000000004 and 1.05 vs 1 = 5.000000000000004.
    expect(relativeChangePercent(0.315, 0.3)).toBe(5);
    expect(relativeChangePercent(1.05, 1)).toBe(5);
    expect(relativeChangePercent(0.345, 0.3)).toBe(15);
  });

  it('divides by |reference| so the sign follows the direction of change', () => {
    expect(relativeChangePercent(-5, -10)).toBe(50);
    expect(relativeChangePercent(-15, -10)).toBe(-50);
  });

  it('is null against a zero reference and 0 (not −0) for no change', () => {
    expect(relativeChangePercent(3, 0)).toBeNull();
    expect(Object.is(relativeChangePercent(-2, -2), 0)).toBe(true);
  });

  it('rejects non-finite input', () => {
    expect(() => relativeChangePercent(Number.NaN, 1)).toThrow(RangeError);
    expect(() => relativeChangePercent(1, Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});
