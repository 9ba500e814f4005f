import { normalQuantile } from './normal-distribution.ts';

/** z for a two-sided 95% interval, Φ⁻¹(0.975) = 1.959963984540054. */
export const Z_95 = normalQuantile(0.975);

export interface NormalProportionInterval {
  /** successes ÷ n. */
  readonly estimate: number;
  /** estimate − halfWidth, clamped to 0. */
  readonly lower: number;
  /** estimate + halfWidth, clamped to 1. */
  readonly upper: number;
  /** z·√(p(1−p)/n), before clamping: the "± x percentage points" a report prints. */
  readonly halfWidth: number;
  readonly z: number;
}

export interface WilsonInterval {
  readonly lower: number;
  readonly upper: number;
}

/** The interval object a snapshot publishes. Proportions (0..1), not percentages. */
export interface PublishedProportionInterval {
  readonly method: 'normal';
  readonly level: 0.95;
  readonly lower: number;
  readonly upper: number;
  readonly halfWidth: number;
  /** Present exactly when `wilsonRecommended(successes, n)`. */
  readonly wilson?: WilsonInterval;
}

function checkCounts(successes: number, n: number): void {
  if (!Number.isFinite(successes) || !Number.isFinite(n) || successes < 0 || successes > n) {
    throw new RangeError(`a proportion needs 0 ≤ successes ≤ n, got ${successes} of ${n}`);
  }
}

const clamp01 = (x: number): number => Math.min(1, Math.max(0, x));

/**
 * Normal-approximation (Wald) interval p ± z·√(p(1−p)/n). This is what HMICFRS publishes:
 * 159 of 182 gives 87.4% ± 4.8 points. Null when n = 0. At p = 0 or 1 its width is zero, which
 * is why the Wilson interval accompanies it there.
 */
export function normalInterval(successes: number, n: number, z: number = Z_95): NormalProportionInterval | null {
  checkCounts(successes, n);
  if (n === 0) return null;
  const estimate = successes / n;
  const halfWidth = z * Math.sqrt((estimate * (1 - estimate)) / n);
  return {
    estimate,
    lower: clamp01(estimate - halfWidth),
    upper: clamp01(estimate + halfWidth),
    halfWidth,
    z,
  };
}

/**
 * Wilson (1927) score interval without continuity correction ("method 3" of Newcombe 1998):
 * (p + z²/2n ± z·√(p(1−p)/n + z²/4n²)) ÷ (1 + z²/n). It stays inside [0, 1] and keeps a sensible
 * width at 0 or n successes (0 of 10 → 0 to 0.2775). Null when n = 0.
 */
export function wilsonInterval(successes: number, n: number, z: number = Z_95): WilsonInterval | null {
  checkCounts(successes, n);
  if (n === 0) return null;
  const p = successes / n;
  const z2 = z * z;
  const denominator = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denominator;
  const spread = (z / denominator) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  // At 0 or n successes the limit is exactly 0 or 1; the formula leaves rounding dust (2.8e-17).
  return {
    lower: successes === 0 ? 0 : clamp01(centre - spread),
    upper: successes === n ? 1 : clamp01(centre + spread),
  };
}

/**
 * Whether a published interval also carries the Wilson interval: when n < 30, or fewer than 5
 * successes, or fewer than 5 failures (n·p < 5 or n·(1−p) < 5). n·p ≥ 5 and n·(1−p) ≥ 5 is the
 * textbook condition for the normal approximation to the binomial; n < 30 adds small samples,
 * where even a mid-range p gets a Wald interval visibly narrower than Wilson's (e.g. 10 of 20:
 * 0.281–0.719 against Wilson's 0.299–0.701).
 */
export function wilsonRecommended(successes: number, n: number): boolean {
  checkCounts(successes, n);
  return n < 30 || successes < 5 || n - successes < 5;
}

/**
 * The 95% interval for `successes` of `n` as a snapshot publishes it: the normal approximation,
 * plus Wilson where `wilsonRecommended`. Null when n = 0 (no proportion, so no interval).
 */
export function publishedProportionInterval(successes: number, n: number): PublishedProportionInterval | null {
  const normal = normalInterval(successes, n);
  if (normal === null) return null;
  const base = {
    method: 'normal',
    level: 0.95,
    lower: normal.lower,
    upper: normal.upper,
    halfWidth: normal.halfWidth,
  } as const;
  if (!wilsonRecommended(successes, n)) return base;
  const wilson = wilsonInterval(successes, n);
  return wilson === null ? base : { ...base, wilson };
}
