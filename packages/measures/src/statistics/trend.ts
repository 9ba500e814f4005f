import { relativeChangePercent } from './relative-change.ts';

export type TrendLabel = 'Stable' | 'Moderate increase' | 'Moderate reduction' | 'Strong increase' | 'Strong reduction';

/** Thresholds on the absolute relative change, in percent. */
export interface TrendThresholds {
  /** Up to and including this change is `Stable`. Default 5. */
  readonly stablePercent: number;
  /** Above `stablePercent` up to and including this is `Moderate`; above, `Strong`. Default 15. */
  readonly strongPercent: number;
}

export const DEFAULT_TREND_THRESHOLDS: TrendThresholds = { stablePercent: 5, strongPercent: 15 };

/** The rule as a snapshot states it, so a reader can re-derive the label from the numbers. */
export interface TrendRule extends TrendThresholds {
  readonly comparedWith: 'same measure 12 months earlier';
  readonly change: 'relative, percent of the earlier value';
  readonly boundaries: string;
}

export interface Trend {
  readonly label: TrendLabel;
  /** (current − previous) ÷ |previous| × 100, to 1e-9 percentage points. */
  readonly changePercent: number;
  readonly rule: TrendRule;
}

/** The rule for the given thresholds, for snapshots that publish it even when no trend exists. */
export function trendRule(thresholds: TrendThresholds = DEFAULT_TREND_THRESHOLDS): TrendRule {
  const { stablePercent, strongPercent } = thresholds;
  if (
    !Number.isFinite(stablePercent) ||
    !Number.isFinite(strongPercent) ||
    stablePercent < 0 ||
    strongPercent <= stablePercent
  ) {
    throw new RangeError(`trend thresholds need 0 ≤ stable < strong, got ${stablePercent} and ${strongPercent}`);
  }
  return {
    comparedWith: 'same measure 12 months earlier',
    change: 'relative, percent of the earlier value',
    stablePercent,
    strongPercent,
    boundaries:
      `|change| ≤ ${stablePercent}%: Stable; ${stablePercent}% < |change| ≤ ${strongPercent}%: ` +
      `Moderate increase/reduction; |change| > ${strongPercent}%: Strong increase/reduction`,
  };
}

/**
 * Outlook of a rolling-12-months value against the same measure 12 months earlier.
 *
 * Null (no trend) when either value is missing, or when the earlier value is 0: a change from
 * nothing has no relative size, and calling it "Strong increase" would overstate one incident.
 * A threshold belongs to the inner band: exactly 5% is Stable, exactly 15% is Moderate.
 */
export function trend(
  current: number | null,
  previous: number | null,
  thresholds: TrendThresholds = DEFAULT_TREND_THRESHOLDS,
): Trend | null {
  const rule = trendRule(thresholds);
  if (current === null || previous === null) return null;
  const changePercent = relativeChangePercent(current, previous);
  if (changePercent === null) return null;
  const size = Math.abs(changePercent);
  const direction = changePercent > 0 ? 'increase' : 'reduction';
  const label: TrendLabel =
    size <= rule.stablePercent
      ? 'Stable'
      : size <= rule.strongPercent
        ? `Moderate ${direction}`
        : `Strong ${direction}`;
  return { label, changePercent, rule };
}
