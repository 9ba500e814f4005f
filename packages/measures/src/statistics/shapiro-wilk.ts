import { defined } from '@rollcall/contract';
import { normalCdf, normalQuantile } from './normal-distribution.ts';
import { polynomial } from './polynomial.ts';

/**
 * Shapiro–Wilk W test of normality by Royston's algorithm: Royston (1995), "Remark AS R94: A
 * remark on Algorithm AS 181: The W-test for normality", Applied Statistics 44, 547–551. This is
 * the algorithm behind R's `shapiro.test` (src/library/stats/src/swilk.c) and SciPy's
 * `stats.shapiro`, without the censoring option neither exposes.
 */

export interface ShapiroWilkResult {
  readonly w: number;
  readonly pValue: number;
  readonly n: number;
}

export type ShapiroWilkFailure = 'too few values' | 'too many values' | 'not finite' | 'zero range';

/** Why the test cannot be run on these values; `n` is how many were given. */
export class ShapiroWilkError extends Error {
  override readonly name = 'ShapiroWilkError';

  constructor(
    readonly reason: ShapiroWilkFailure,
    readonly n: number,
  ) {
    super(`Shapiro–Wilk test not possible on ${n} values: ${reason} (needs 3 to 5000, finite)`);
  }
}

/** Royston's approximations are fitted for 3 ≤ n ≤ 5000 (AS R94, and R's limits). */
export const SHAPIRO_WILK_MIN_N = 3;
export const SHAPIRO_WILK_MAX_N = 5000;

// AS R94 polynomial coefficients, lowest order first.
const C1 = [0, 0.221157, -0.147981, -2.07119, 4.434685, -2.706056] as const;
const C2 = [0, 0.042981, -0.293762, -1.752461, 5.682633, -3.582633] as const;
const C3 = [0.544, -0.39978, 0.025054, -6.714e-4] as const;
const C4 = [1.3822, -0.77857, 0.062767, -0.0020322] as const;
const C5 = [-1.5861, -0.31082, -0.083751, 0.0038915] as const;
const C6 = [-0.4803, -0.082676, 0.0030302] as const;
const G = [-2.273, 0.459] as const;

/**
 * The positive half of the W coefficients, a₁ ≥ a₂ ≥ … for the largest order statistics (the
 * smallest ones take −aᵢ; the middle one of an odd sample takes 0). Royston's approximation:
 * normalised normal scores mᵢ = Φ⁻¹((i − 3/8)/(n + 1/4)), with the two outermost corrected by
 * polynomials in 1/√n.
 */
export function shapiroWilkCoefficients(n: number): readonly number[] {
  if (!Number.isInteger(n) || n < SHAPIRO_WILK_MIN_N || n > SHAPIRO_WILK_MAX_N) {
    throw new ShapiroWilkError(n < SHAPIRO_WILK_MIN_N ? 'too few values' : 'too many values', n);
  }
  if (n === 3) return [Math.SQRT1_2];
  const half = Math.floor(n / 2);
  // m[i] for i = 0..half−1 are the (negative) scores of the smallest order statistics.
  const m = Array.from({ length: half }, (_, i) => normalQuantile((i + 1 - 0.375) / (n + 0.25)));
  // n ≥ 4 here, so there are at least two scores.
  const m1 = defined(m[0], 'the first normal score');
  const m2 = defined(m[1], 'the second normal score');
  const sumSquares = 2 * m.reduce((sum, mi) => sum + mi * mi, 0);
  const norm = Math.sqrt(sumSquares);
  const u = 1 / Math.sqrt(n);
  const a1 = polynomial(C1, u) - m1 / norm;
  if (n <= 5) {
    const scale = Math.sqrt((sumSquares - 2 * m1 * m1) / (1 - 2 * a1 * a1));
    return [a1, ...m.slice(1).map((mi) => -mi / scale)];
  }
  const a2 = polynomial(C2, u) - m2 / norm;
  const scale = Math.sqrt((sumSquares - 2 * m1 * m1 - 2 * m2 * m2) / (1 - 2 * a1 * a1 - 2 * a2 * a2));
  return [a1, a2, ...m.slice(2).map((mi) => -mi / scale)];
}

/**
 * Zero range: all values equal, or equal up to a few units in the last place of the largest
 * (8·ε relative), where W would only measure rounding noise. 1e-19 absolute is R's own check.
 */
function hasZeroRange(low: number, high: number): boolean {
  const range = high - low;
  const magnitude = Math.max(Math.abs(low), Math.abs(high));
  return range < 1e-19 || range <= 8 * Number.EPSILON * magnitude;
}

/**
 * W and its p-value for 3 ≤ n ≤ 5000 values (any order). Small W (and small p) means evidence
 * against normality. Throws ShapiroWilkError for fewer than 3 or more than 5000 values, non-finite
 * values, or zero range (all values equal), where W is undefined.
 *
 * p-values: exact for n = 3; Royston's normalising transformations of ln(1 − W) for 4 ≤ n ≤ 11
 * and n ≥ 12, which he states are adequate for p < 0.1, the region a test at α = 0.05 relies on.
 */
export function shapiroWilk(values: readonly number[]): ShapiroWilkResult {
  const n = values.length;
  if (n < SHAPIRO_WILK_MIN_N) throw new ShapiroWilkError('too few values', n);
  if (n > SHAPIRO_WILK_MAX_N) throw new ShapiroWilkError('too many values', n);
  if (!values.every(Number.isFinite)) throw new ShapiroWilkError('not finite', n);

  const sorted = [...values].sort((x, y) => x - y);
  const low = defined(sorted[0], 'the smallest value');
  const high = defined(sorted[n - 1], 'the largest value');
  if (hasZeroRange(low, high)) throw new ShapiroWilkError('zero range', n);

  // W is location and scale invariant; centring on the median and dividing by the range keeps
  // data with a large offset (1e9 + small differences) from losing its digits in the sums below.
  // SciPy does the same since gh-14462; R divides by the range only.
  const median = (defined(sorted[(n - 1) >> 1], 'the lower median') + defined(sorted[n >> 1], 'the upper median')) / 2;
  const range = high - low;
  const x = sorted.map((v) => (v - median) / range);

  // The coefficients by rank: −a₁, −a₂, … for the smallest values, 0 for the middle one of an odd
  // sample, …, a₂, a₁ for the largest.
  const half = shapiroWilkCoefficients(n);
  const a = [...half.map((ai) => -ai), ...Array<number>(n - 2 * half.length).fill(0), ...[...half].reverse()];

  // W as the squared correlation of the data with the coefficients, returned as 1 − W computed
  // from (√(SaSx) − Sax)(√(SaSx) + Sax): W − 1 by subtraction would lose digits when W is near 1.
  const meanA = a.reduce((s, v) => s + v, 0) / n;
  const meanX = x.reduce((s, v) => s + v, 0) / n;
  let ssa = 0;
  let ssx = 0;
  let sax = 0;
  for (const [i, ai] of a.entries()) {
    const da = ai - meanA;
    // a and x both hold n values, so x[i] is always there: ?? 0 only satisfies the compiler.
    const dx = (x[i] ?? 0) - meanX;
    ssa += da * da;
    ssx += dx * dx;
    sax += da * dx;
  }
  const root = Math.sqrt(ssa * ssx);
  // Rounding can push Sax a hair past √(SaSx) for perfectly linear data; 1 − W cannot be negative.
  const oneMinusW = Math.max(0, ((root - sax) * (root + sax)) / (ssa * ssx));
  const w = 1 - oneMinusW;

  return { w, pValue: pValueOf(oneMinusW, n), n };
}

function pValueOf(oneMinusW: number, n: number): number {
  const w = 1 - oneMinusW;
  if (n === 3) {
    // Exact: P(W ≤ w) = (6/π)(asin √w − asin √(3/4)); W cannot fall below 3/4 when n = 3.
    return Math.max(0, (6 / Math.PI) * (Math.asin(Math.sqrt(w)) - Math.PI / 3));
  }
  let y = Math.log(oneMinusW);
  let mean: number;
  let sd: number;
  if (n <= 11) {
    const gamma = polynomial(G, n);
    // Beyond the transformation's support: W is so small the p-value is nil. 1e-99 is the value
    // R and SciPy return here, kept so results compare directly.
    if (y >= gamma) return 1e-99;
    y = -Math.log(gamma - y);
    mean = polynomial(C3, n);
    sd = Math.exp(polynomial(C4, n));
  } else {
    const lnN = Math.log(n);
    mean = polynomial(C5, lnN);
    sd = Math.exp(polynomial(C6, lnN));
  }
  // Upper tail of N(mean, sd) at y; Φ(−z) keeps relative accuracy when p is small.
  return normalCdf(-(y - mean) / sd);
}
