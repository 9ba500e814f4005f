import { ShapiroWilkError, shapiroWilk, type ShapiroWilkResult } from './shapiro-wilk.ts';

/**
 * National outliers (measures.md, "Statistics shared by all measures"): across all forces with
 * data, the unweighted mean ± 1 sample standard deviation; if the values fail a Shapiro–Wilk test
 * of normality at α = 0.05 and their natural logs pass it, the band is mean ± 1 SD of the logs,
 * exponentiated back. Forces strictly outside the band are flagged; a force whose value has a
 * 95% interval (counts) only when the whole interval is outside, as a funnel plot allows for each
 * unit's own sampling variation (Spiegelhalter 2005, "Funnel plots for comparing institutional
 * performance", Statistics in Medicine 24(8), 1185–1202).
 */

export interface ForceValue {
  readonly force: string;
  /** Null when the force has no (complete) value; it is then left out of the band. */
  readonly value: number | null;
  /**
   * The value's 95% interval, when it has one (numerators that count events): the force is then
   * flagged only when the whole interval lies outside the band, not on sampling noise.
   */
  readonly interval?: { readonly lower: number; readonly upper: number };
}

export type OutlierFlag = 'well above' | 'well below' | null;

export interface ForceOutlier {
  readonly force: string;
  readonly value: number | null;
  readonly flag: OutlierFlag;
}

export interface NormalityTests {
  readonly alpha: number;
  /** On the values; null when they have zero range (all equal), where W is undefined. */
  readonly linear: ShapiroWilkResult | null;
  /**
   * On ln(value); null when not needed (the values passed) or not possible (a value ≤ 0, or
   * zero range).
   */
  readonly log: ShapiroWilkResult | null;
}

export interface OutlierBand {
  readonly scale: 'linear' | 'log';
  /** Mean and sample SD on the band's scale: of the values, or of their natural logs. */
  readonly mean: number;
  readonly sd: number;
  /** Band limits in the values' own units (exp(mean ∓ sd) on the log scale). */
  readonly lower: number;
  readonly upper: number;
  /** How many forces the band was computed from. */
  readonly n: number;
  /**
   * Whether the values on the chosen scale passed the normality test. False when neither the
   * values nor their logs did (the band is then linear, and a snapshot should say the
   * distribution is not normal) and when all values are equal.
   */
  readonly normal: boolean;
  readonly normality: NormalityTests;
}

export interface NationalOutliers {
  /** Null with fewer than `OUTLIER_MIN_FORCES` forces with data. */
  readonly band: OutlierBand | null;
  /** One entry per input force, in input order. */
  readonly forces: readonly ForceOutlier[];
}

/**
 * Fewer than 3 values give no band: Shapiro–Wilk needs 3, and a mean ± SD of two forces only
 * says which of the two is higher.
 */
export const OUTLIER_MIN_FORCES = 3;

export const OUTLIER_ALPHA = 0.05;

function meanAndSampleSd(values: readonly number[]): { mean: number; sd: number } {
  const mean = values.reduce((sum, v) => sum + v, 0) / values.length;
  const squares = values.reduce((sum, v) => sum + (v - mean) * (v - mean), 0);
  return { mean, sd: Math.sqrt(squares / (values.length - 1)) };
}

/** Null for values with zero range (all equal, up to rounding), which have no W. */
function testNormality(values: readonly number[]): ShapiroWilkResult | null {
  try {
    return shapiroWilk(values);
  } catch (error) {
    if (error instanceof ShapiroWilkError && error.reason === 'zero range') return null;
    throw error;
  }
}

/** "Normal" means the test did not reject normality: p ≥ α. */
function chooseBand(values: readonly number[], alpha: number): OutlierBand {
  const n = values.length;
  const linearTest = testNormality(values);
  const linear = (normal: boolean, log: ShapiroWilkResult | null): OutlierBand => {
    const { mean, sd } = meanAndSampleSd(values);
    return {
      scale: 'linear',
      mean,
      sd,
      lower: mean - sd,
      upper: mean + sd,
      n,
      normal,
      normality: { alpha, linear: linearTest, log },
    };
  };

  if (linearTest === null) return linear(false, null);
  if (linearTest.pValue >= alpha) return linear(true, null);
  if (!values.every((v) => v > 0)) return linear(false, null);

  const logs = values.map(Math.log);
  const logTest = testNormality(logs);
  if (logTest === null || logTest.pValue < alpha) return linear(false, logTest);

  const { mean, sd } = meanAndSampleSd(logs);
  return {
    scale: 'log',
    mean,
    sd,
    lower: Math.exp(mean - sd),
    upper: Math.exp(mean + sd),
    n,
    normal: true,
    normality: { alpha, linear: linearTest, log: logTest },
  };
}

/**
 * The national outlier band and each force's flag. A linear lower limit may be negative; it is
 * reported as computed (nobody is then "well below"). A value exactly on a limit is inside.
 * Throws RangeError for a non-finite value or alpha outside (0, 1), and ShapiroWilkError beyond
 * 5000 forces (the test's limit; England and Wales have 43).
 */
export function nationalOutliers(values: readonly ForceValue[], alpha: number = OUTLIER_ALPHA): NationalOutliers {
  if (!(alpha > 0 && alpha < 1)) throw new RangeError(`alpha must be in (0, 1), got ${alpha}`);
  const present: number[] = [];
  for (const { force, value } of values) {
    if (value === null) continue;
    if (!Number.isFinite(value)) throw new RangeError(`${force}: value ${value} is not finite`);
    present.push(value);
  }

  const band = present.length < OUTLIER_MIN_FORCES ? null : chooseBand(present, alpha);
  const flagOf = ({ value, interval }: ForceValue): OutlierFlag => {
    if (band === null || value === null) return null;
    if (value > band.upper && (interval === undefined || interval.lower > band.upper)) return 'well above';
    if (value < band.lower && (interval === undefined || interval.upper < band.lower)) return 'well below';
    return null;
  };
  return {
    band,
    forces: values.map((entry) => ({ force: entry.force, value: entry.value, flag: flagOf(entry) })),
  };
}
