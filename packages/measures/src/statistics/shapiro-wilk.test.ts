import { describe, expect, it } from 'vitest';
import { ShapiroWilkError, shapiroWilk, shapiroWilkCoefficients, type ShapiroWilkFailure } from './shapiro-wilk.ts';

// Reference values, with where they were published:
// - SciPy, scipy/stats/tests/test_morestats.py, class TestShapiro (github.com/scipy/scipy);
// - R's shapiro.test output quoted there (R implements AS R94 in src/library/stats/src/swilk.c);
// - Royston (1992), "Approximating the Shapiro–Wilk W-test for non-normality", Statistics and
//   Computing 2, 117–119, section 4 worked example, as tested in JuliaStats/HypothesisTests.jl
//   test/shapiro_wilk.jl, with AS R94 coefficients obtained there from the Fortran `swilk`.
// SciPy's older expected values came from its single-precision Fortran port, which is why they
// are asserted only to the decimals SciPy itself asserts.

// Shapiro & Wilk (1965), Biometrika 52, 591–611: the 25-value sample quoted in SciPy's tests as
// "extracted from original paper".
const SHAPIRO_WILK_1965 = [
  0.139, 0.157, 0.175, 0.256, 0.344, 0.413, 0.503, 0.577, 0.614, 0.655, 0.954, 1.392, 1.557, 1.648, 1.69, 1.994, 2.174,
  2.206, 3.245, 3.51, 3.571, 4.354, 4.98, 6.084, 8.351,
];

// SciPy TestShapiro.test_basic x1 and x2 (n = 20).
const SCIPY_X1 = [
  0.11, 7.87, 4.61, 10.14, 7.95, 3.14, 0.46, 4.43, 0.21, 4.75, 0.71, 1.52, 3.24, 0.93, 0.42, 4.97, 9.53, 4.55, 0.47,
  6.66,
];
const SCIPY_X2 = [
  1.36, 1.14, 2.92, 2.55, 1.46, 1.06, 5.27, -1.11, 3.48, 1.1, 0.88, -0.51, 1.46, 0.52, 6.2, 1.69, 0.08, 3.67, 2.81,
  3.49,
];

// SciPy TestShapiro.test_basic x3: stats.norm.rvs(loc=5, scale=3, size=100,
// random_state=12345678), i.e. NumPy's legacy Mersenne Twister, written out here in full.
const SCIPY_X3 = [
  6.6611245673907185, 0.6211040208198781, 1.116244581866999, 0.4709781645282636, 9.715624704472454, 2.0729114267410167,
  6.442096362864801, 6.876842921073138, 7.1670590527926565, 7.730979327458678, 5.157402414285178, 0.79962718058494,
  4.506980546896023, 2.991745206763932, 7.135937902734279, 7.565963241386078, 5.529390144491201, 8.20725877349739,
  6.519698387673004, 7.140613248546799, 7.014665448596132, 8.1464688294571, 4.888377504864274, 5.167110025110268,
  10.76238383212238, 8.215441656552438, 7.5729457696780225, 7.034710597500004, 1.450277000860242, 2.2132032348629127,
  4.2963535661038685, 2.056058539519827, 8.835557452755431, 8.357051412727103, 8.19047090271037, 8.194774726987546,
  8.938325152420491, 7.084306175665259, 10.152860399480305, 6.134522599810833, 3.397823534921721, 5.62714178883084,
  7.536244639797198, 9.309458387399312, 7.278555265762625, 8.135025571799511, 10.383162443233548, 3.803972471007536,
  6.97555238126175, 3.8325319271901037, 9.78948565309333, 5.402693258856749, 2.3056847596616463, 4.906659494299399,
  8.472158261745776, 3.7480057836454987, 3.7657735351389396, 4.321900399915539, 5.909297552792044, -0.8738464155253176,
  4.585311314606, 6.508064480187332, 5.607762612189097, 4.5796361032147095, 7.002377422453191, 2.2279007962321433,
  3.5367909079060365, 1.186954491348613, 0.5049414225175592, 7.126927459812217, 2.648166899173314, 2.3994939393735644,
  8.228696189197553, 8.174514666891005, 3.1346668744291275, 1.4588162299303358, 5.405980127357105, 8.48854613631783,
  9.800696221731553, 8.88392021747881, 10.051273762986227, 7.700802232276085, 3.8636105323164314, 5.80693278350417,
  10.31383677810785, 7.512274759320906, 7.466983307093374, 1.5514253880640654, 5.815001122176856, 6.29098161159528,
  5.428385697881127, 9.736704340091832, 11.36036307673737, 5.235038269305912, 9.77664787788472, 2.6507888102769455,
  5.225182703338849, 4.0554606836778575, 2.339283037164515, 3.544510726352878,
];

// Royston (1992), section 4 (n = 10).
const ROYSTON_1992 = [48.4, 49.0, 59.5, 59.6, 60.7, 88.8, 98.2, 109.4, 169.1, 227.1];

describe('shapiroWilk against published reference values', () => {
  it('n = 3, R via SciPy gh-18322: W = 0.84658770645509, p = 0.2313666489882', () => {
    const result = shapiroWilk([-0.7746653110021126, -0.4344432067942129, 1.8157053280290931]);
    expect(result.n).toBe(3);
    expect(result.w).toBeCloseTo(0.84658770645509, 12);
    expect(result.pValue).toBeCloseTo(0.2313666489882, 10);
  });

  it('n = 3 of tiny magnitude, R via SciPy gh-14462: W = 0.864684317, p = 0.280558175', () => {
    const result = shapiroWilk([0, 3.39996924e-8, -6.35166875e-9]);
    expect(result.w).toBeCloseTo(0.86468431705371, 8);
    expect(result.pValue).toBeCloseTo(0.2805581751566, 8);
  });

  it('n = 10, Royston (1992) worked example: W = 0.8078, p = 0.018', () => {
    const result = shapiroWilk(ROYSTON_1992);
    expect(result.w).toBeCloseTo(0.8078, 4);
    expect(result.pValue).toBeCloseTo(0.018, 3);
    // Tighter: AS R94 in double precision (R 4.x, SciPy ≥ 1.11) gives W = 0.807829, p = 0.018047.
    expect(result.w).toBeCloseTo(0.807829, 6);
    expect(result.pValue).toBeCloseTo(0.018047, 6);
  });

  it('n = 20, SciPy x1: W = 0.900473, p = 0.042090', () => {
    const result = shapiroWilk(SCIPY_X1);
    expect(result.w).toBeCloseTo(0.90047299861907959, 6);
    expect(result.pValue).toBeCloseTo(0.042089745402336121, 6);
  });

  it('n = 20, SciPy x2: W = 0.959027, p = 0.5246', () => {
    const result = shapiroWilk(SCIPY_X2);
    expect(result.w).toBeCloseTo(0.959027, 6);
    expect(result.pValue).toBeCloseTo(0.5246, 4);
  });

  it('n = 25, Shapiro & Wilk (1965) sample: W = 0.83467, p = 0.000914', () => {
    const result = shapiroWilk(SHAPIRO_WILK_1965);
    expect(result.w).toBeCloseTo(0.83467, 4);
    expect(result.pValue).toBeCloseTo(0.000914, 5);
  });

  it('n = 100, SciPy x3 (verified against R there): W = 0.977281, p = 0.0814', () => {
    const result = shapiroWilk(SCIPY_X3);
    expect(result.n).toBe(100);
    expect(result.w).toBeCloseTo(0.9772805571556091, 6);
    expect(result.pValue).toBeCloseTo(0.08144091814756393, 4);
  });
});

describe('shapiroWilkCoefficients', () => {
  // AS R94 coefficients from the Fortran swilk, as listed in HypothesisTests.jl (single precision).
  it('n = 10 matches swilk', () => {
    const expected = [0.573715, 0.32897, 0.214349, 0.122791, 0.0400887];
    shapiroWilkCoefficients(10).forEach((a, i) => expect(a).toBeCloseTo(expected[i]!, 6));
  });

  it('n = 20 matches swilk', () => {
    const expected = [
      0.473371, 0.32174, 0.255663, 0.208297, 0.16864, 0.133584, 0.101474, 0.0712893, 0.0423232, 0.0140351,
    ];
    const actual = shapiroWilkCoefficients(20);
    expect(actual).toHaveLength(10);
    actual.forEach((a, i) => expect(a).toBeCloseTo(expected[i]!, 6));
  });

  it('n = 10 matches Royston (1992) to the 4 decimals printed', () => {
    const expected = [0.5737, 0.329, 0.2143, 0.1228, 0.0401];
    shapiroWilkCoefficients(10).forEach((a, i) => expect(a).toBeCloseTo(expected[i]!, 4));
  });

  it('is √½ for n = 3 and has unit sum of squares over both halves', () => {
    expect(shapiroWilkCoefficients(3)).toEqual([Math.SQRT1_2]);
    for (const n of [4, 5, 6, 11, 12, 50, 5000]) {
      const sumSquares = 2 * shapiroWilkCoefficients(n).reduce((s, a) => s + a * a, 0);
      expect(sumSquares).toBeCloseTo(1, 12);
    }
  });
});

describe('shapiroWilk properties', () => {
  it('does not depend on order, location or scale', () => {
    const reference = shapiroWilk(ROYSTON_1992);
    const shuffled = [169.1, 48.4, 227.1, 59.6, 98.2, 49.0, 60.7, 109.4, 59.5, 88.8];
    // A large offset: centring on the median keeps W to 2.5e-11 here; without it, 4.7e-10.
    const moved = ROYSTON_1992.map((v) => 1e9 + 0.5 * v);
    expect(shapiroWilk(shuffled).w).toBeCloseTo(reference.w, 14);
    expect(shapiroWilk(moved).w).toBeCloseTo(reference.w, 10);
    expect(shapiroWilk(moved).pValue).toBeCloseTo(reference.pValue, 9);
  });

  it('gives W = 1 and p = 1 for perfectly evenly spaced triples', () => {
    expect(shapiroWilk([1, 2, 3])).toEqual({ w: 1, pValue: 1, n: 3 });
  });

  it('gives p = 0 at the smallest W possible for n = 3 (two equal values)', () => {
    const result = shapiroWilk([0, 0, 1]);
    expect(result.w).toBeCloseTo(0.75, 12);
    expect(result.pValue).toBeCloseTo(0, 6);
  });

  it('uses the small-sample branch up to n = 11 and the large one from n = 12', () => {
    // Values from AS R94 in double precision (SciPy 1.17 stats.shapiro on the same data).
    expect(shapiroWilk([1, 2, 3, 4])).toEqual({
      w: expect.closeTo(0.992912, 6),
      pValue: expect.closeTo(0.971877, 6),
      n: 4,
    });
    const squares = (n: number): number[] => Array.from({ length: n }, (_, i) => (i + 1) ** 2);
    expect(shapiroWilk(squares(11))).toEqual({
      w: expect.closeTo(0.918632, 6),
      pValue: expect.closeTo(0.307411, 6),
      n: 11,
    });
    expect(shapiroWilk(squares(12))).toEqual({
      w: expect.closeTo(0.916292, 6),
      pValue: expect.closeTo(0.256673, 6),
      n: 12,
    });
  });
});

describe('shapiroWilk errors', () => {
  const failure = (values: readonly number[]): ShapiroWilkFailure | undefined => {
    try {
      shapiroWilk(values);
      return undefined;
    } catch (error) {
      expect(error).toBeInstanceOf(ShapiroWilkError);
      return (error as ShapiroWilkError).reason;
    }
  };

  it('needs at least 3 values', () => {
    expect(failure([])).toBe('too few values');
    expect(failure([1, 2])).toBe('too few values');
  });

  it('accepts at most 5000 values', () => {
    const many = Array.from({ length: 5001 }, (_, i) => Math.sin(i));
    expect(failure(many)).toBe('too many values');
    expect(failure(many.slice(0, 5000))).toBeUndefined();
  });

  it('refuses values that are all equal, including equal up to rounding', () => {
    expect(failure([7, 7, 7, 7])).toBe('zero range');
    expect(failure([0.1 + 0.2, 0.3, 0.3])).toBe('zero range');
  });

  it('refuses non-finite values', () => {
    expect(failure([1, 2, Number.NaN])).toBe('not finite');
    expect(failure([1, 2, Number.POSITIVE_INFINITY])).toBe('not finite');
  });

  it('says what went wrong and with how many values', () => {
    const error = new ShapiroWilkError('zero range', 4);
    expect(error.name).toBe('ShapiroWilkError');
    expect(error.n).toBe(4);
    expect(error.message).toContain('zero range');
  });
});
