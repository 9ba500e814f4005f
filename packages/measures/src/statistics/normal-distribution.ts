/* eslint-disable no-loss-of-precision -- the published coefficients are kept digit for digit as printed, so
   they can be checked against their sources; the compiler rounds them to the nearest double. */
/**
 * The standard normal distribution, to double precision. Shapiro–Wilk turns its statistic into a
 * p-value through the normal CDF and builds its coefficients from normal quantiles, so both must
 * be far more accurate than the 4–6 decimals the test is checked to.
 */

import { polynomial } from './polynomial.ts';

const SQRT_32 = Math.sqrt(32);
const ONE_OVER_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

// Cody (1969), "Rational Chebyshev approximations for the error function", Math. Comp. 23,
// 631–637, as used in ACM TOMS Algorithm 715 (SPECFUN) and R's pnorm: at least 18 significant
// digits in exact arithmetic, so the result is limited by double rounding (~1e-16 relative).
const NEAR_A = [
  2.2352520354606839287, 161.02823106855587881, 1067.6894854603709582, 18154.981253343561249, 0.065682337918207449113,
] as const;
const NEAR_B = [47.20258190468824187, 976.09855173777669322, 10260.932208618978205, 45507.789335026729956] as const;
const MIDDLE_C = [
  0.39894151208813466764, 8.8831497943883759412, 93.506656132177855979, 597.27027639480026226, 2494.5375852903726711,
  6848.1904505362823326, 11602.651437647350124, 9842.7148383839780218, 1.0765576773720192317e-8,
] as const;
const MIDDLE_D = [
  22.266688044328115691, 235.38790178262499861, 1519.377599407554805, 6485.558298266760755, 18615.571640885098091,
  34900.952721145977266, 38912.003286093271411, 19685.429676859990727,
] as const;
const TAIL_P = [
  0.21589853405795699, 0.1274011611602473639, 0.022235277870649807, 0.001421619193227893466, 2.9112874951168792e-5,
  0.02307344176494017303,
] as const;
const TAIL_Q = [
  1.28426009614491121, 0.468238212480865118, 0.0659881378689285515, 0.00378239633202758244, 7.29751555083966205e-5,
] as const;

/**
 * exp(−y²/2) computed as exp(−s²/2)·exp(−(y−s)(y+s)/2) with s = y rounded down to a multiple of
 * 1/16: y² itself loses the low bits of y, which is a relative error of order y²·ε in the tail.
 */
function gaussianFactor(y: number): number {
  const s = Math.floor(y * 16) / 16;
  const del = (y - s) * (y + s);
  return Math.exp(-s * s * 0.5) * Math.exp(-del * 0.5);
}

/** Upper tail Q(y) = 1 − Φ(y) for y > 0.66291, where Cody's tail approximations apply. */
function upperTail(y: number): number {
  if (y <= SQRT_32) {
    let num = MIDDLE_C[8] * y;
    let den = y;
    // Literal indices (here and below) read the `as const` tables as numbers, checked in bounds by the compiler.
    for (const i of [0, 1, 2, 3, 4, 5, 6] as const) {
      num = (num + MIDDLE_C[i]) * y;
      den = (den + MIDDLE_D[i]) * y;
    }
    return ((num + MIDDLE_C[7]) / (den + MIDDLE_D[7])) * gaussianFactor(y);
  }
  // Beyond 50 the tail is below 1e-545, which a double cannot hold.
  if (y >= 50) return 0;
  const ySquaredInverse = 1 / (y * y);
  let num = TAIL_P[5] * ySquaredInverse;
  let den = ySquaredInverse;
  for (const i of [0, 1, 2, 3] as const) {
    num = (num + TAIL_P[i]) * ySquaredInverse;
    den = (den + TAIL_Q[i]) * ySquaredInverse;
  }
  const ratio = (ySquaredInverse * (num + TAIL_P[4])) / (den + TAIL_Q[4]);
  return ((ONE_OVER_SQRT_2PI - ratio) / y) * gaussianFactor(y);
}

/** Φ(x), the standard normal cumulative distribution function. NaN in, NaN out. */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const y = Math.abs(x);
  if (y <= 0.66291) {
    const xsq = x * x;
    let num = NEAR_A[4] * xsq;
    let den = xsq;
    for (const i of [0, 1, 2] as const) {
      num = (num + NEAR_A[i]) * xsq;
      den = (den + NEAR_B[i]) * xsq;
    }
    return 0.5 + (x * (num + NEAR_A[3])) / (den + NEAR_B[3]);
  }
  // Computing the small tail directly and subtracting it from 1 only on the large side keeps full
  // relative accuracy in the lower tail, where p-values live.
  const tail = upperTail(y);
  return x > 0 ? 1 - tail : tail;
}

// Wichura (1988), "Algorithm AS 241: The percentage points of the normal distribution", Applied
// Statistics 37, 477–484, routine PPND16: about 1 part in 1e16.
const CENTRAL_NUM = [
  3.387132872796366608, 133.14166789178437745, 1971.5909503065514427, 13731.693765509461125, 45921.953931549871457,
  67265.770927008700853, 33430.575583588128105, 2509.0809287301226727,
] as const;
const CENTRAL_DEN = [
  1, 42.313330701600911252, 687.1870074920579083, 5394.1960214247511077, 21213.794301586595867, 39307.89580009271061,
  28729.085735721942674, 5226.495278852854561,
] as const;
const INTERMEDIATE_NUM = [
  1.42343711074968357734, 4.6303378461565452959, 5.7694972214606914055, 3.64784832476320460504, 1.27045825245236838258,
  0.24178072517745061177, 0.0227238449892691845833, 7.7454501427834140764e-4,
] as const;
const INTERMEDIATE_DEN = [
  1, 2.05319162663775882187, 1.6763848301838038494, 0.68976733498510000455, 0.14810397642748007459,
  0.0151986665636164571966, 5.475938084995344946e-4, 1.05075007164441684324e-9,
] as const;
const FAR_NUM = [
  6.6579046435011037772, 5.4637849111641143699, 1.7848265399172913358, 0.29656057182850489123, 0.026532189526576123093,
  0.0012426609473880784386, 2.71155556874348757815e-5, 2.01033439929228813265e-7,
] as const;
const FAR_DEN = [
  1, 0.59983220655588793769, 0.13692988092273580531, 0.0148753612908506148525, 7.868691311456132591e-4,
  1.8463183175100546818e-5, 1.4215117583164458887e-7, 2.04426310338993978564e-15,
] as const;

/**
 * Φ⁻¹(p), the standard normal quantile: −∞ at 0, +∞ at 1, NaN outside [0, 1].
 */
export function normalQuantile(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return Number.NaN;
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  const q = p - 0.5;
  // 0.075 ≤ p ≤ 0.925: one rational function in (0.425² − q²).
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * polynomial(CENTRAL_NUM, r)) / polynomial(CENTRAL_DEN, r);
  }
  // Tails: r = √(−ln min(p, 1 − p)); r ≤ 5 means min(p, 1 − p) ≥ e^−25 ≈ 1.4e-11.
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let value: number;
  if (r <= 5) {
    r -= 1.6;
    value = polynomial(INTERMEDIATE_NUM, r) / polynomial(INTERMEDIATE_DEN, r);
  } else {
    r -= 5;
    value = polynomial(FAR_NUM, r) / polynomial(FAR_DEN, r);
  }
  return q < 0 ? -value : value;
}
