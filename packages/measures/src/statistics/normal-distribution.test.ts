/* eslint-disable no-loss-of-precision -- reference values copied digit for digit from their sources. */
import { describe, expect, it } from 'vitest';
import { normalCdf, normalQuantile } from './normal-distribution.ts';

// Reference values computed with mpmath at 30 significant digits (ncdf, and √2·erfinv(2p − 1)),
// and agreeing with the printed tables of Abramowitz & Stegun (1964), table 26.1.
const expectRelative = (actual: number, expected: number, tolerance: number): void => {
  expect(Math.abs(actual - expected) / Math.abs(expected)).toBeLessThan(tolerance);
};

describe('normalCdf', () => {
  it.each([
    [0.5, 0.69146246127401310364],
    [-1, 0.15865525393145705141],
    [1.96, 0.97500210485177956379],
    [-1.96, 0.024997895148220436213],
    [0.6629, 0.74630269913176323432],
    [2.5, 0.99379033467422386483],
    [-3, 0.0013498980316300945267],
    [6, 0.99999999901341235496],
  ])('Φ(%s) = %s to 1e-15', (x, expected) => {
    expect(normalCdf(x)).toBeCloseTo(expected, 15);
  });

  it('is exactly one half at zero', () => {
    expect(normalCdf(0)).toBe(0.5);
  });

  it.each([
    [-5, 2.8665157187919391167e-7],
    [-8, 6.2209605742717841235e-16],
    [-10, 7.619853024160526066e-24],
    [-20, 2.7536241186062336951e-89],
    [-37.5, 4.6053530095819548438e-308],
  ])('keeps relative accuracy in the lower tail: Φ(%s) = %s within 1e-13', (x, expected) => {
    expectRelative(normalCdf(x), expected, 1e-13);
  });

  it('saturates at the ends of the double range', () => {
    expect(normalCdf(-60)).toBe(0);
    expect(normalCdf(60)).toBe(1);
    expect(normalCdf(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(normalCdf(Number.POSITIVE_INFINITY)).toBe(1);
    expect(normalCdf(Number.NaN)).toBeNaN();
  });
});

describe('normalQuantile', () => {
  it.each([
    [0.975, 1.9599639845400538556],
    [0.025, -1.9599639845400542118],
    [0.9, 1.2815515655446005935],
    [0.1, -1.2815515655446004353],
    [0.999, 3.0902323061678132778],
    // Either side of the 0.075 switch between AS 241's central and tail approximations.
    [0.0749, -1.4402382675279636631],
    [0.0751, -1.4388253927525399824],
    [1e-5, -4.2648907939228246102],
    [1e-10, -6.3613409024040561991],
    [1e-20, -9.2623400897981532129],
  ])('Φ⁻¹(%s) = %s to 1e-12 relative', (p, expected) => {
    expectRelative(normalQuantile(p), expected, 1e-12);
  });

  it('is zero at one half and infinite at the ends', () => {
    expect(normalQuantile(0.5)).toBe(0);
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
  });

  it('is NaN outside [0, 1]', () => {
    expect(normalQuantile(-0.1)).toBeNaN();
    expect(normalQuantile(1.1)).toBeNaN();
    expect(normalQuantile(Number.NaN)).toBeNaN();
  });

  it('inverts the CDF to 1e-13 across the range', () => {
    for (const p of [1e-12, 1e-6, 0.01, 0.2, 0.5, 0.7, 0.95, 0.999999]) {
      expectRelative(normalCdf(normalQuantile(p)), p, 1e-13);
    }
  });
});
