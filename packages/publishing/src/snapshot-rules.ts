import {
  DEFAULT_SIMILAR_WITHIN_PERCENT,
  type DisclosureReport,
  type DisclosureRule,
  type NearlyMetRule,
  type TrendThresholds,
  trendRule,
} from '@rollcall/measures';
import type { SnapshotDocument } from './snapshot-document.ts';

/** The rules a snapshot was computed under: disclosure control, thresholds and methods. */
export interface SnapshotRuleSettings {
  readonly disclosure: DisclosureRule;
  /** How many cells disclosure control suppressed in this snapshot. */
  readonly report: DisclosureReport;
  readonly trendThresholds: TrendThresholds;
  readonly nearlyMet: NearlyMetRule;
}

/** The `rules` section of a snapshot: the methods behind its figures, stated for its readers. */
export function snapshotRules(settings: SnapshotRuleSettings): SnapshotDocument['rules'] {
  const { disclosure, report, trendThresholds, nearlyMet } = settings;
  return {
    disclosure: {
      maxSuppressedCount: disclosure.maxSuppressedCount,
      description: `counts from 1 to ${disclosure.maxSuppressedCount} suppressed [c], with secondary suppression where totals would reveal them; zero is not suppressed (${report.primary} primary, ${report.secondary} secondary in this snapshot)`,
    },
    trend: trendRule(trendThresholds),
    targetStatus:
      nearlyMet === 'interval-reaches-target'
        ? 'met when the value meets the target; nearly met (amber) when it misses but its 95% confidence interval reaches the target; otherwise not met'
        : 'met when the value meets the target; otherwise not met',
    msg: {
      similarWithinPercent: DEFAULT_SIMILAR_WITHIN_PERCENT,
      average:
        'weighted: sum of numerators ÷ sum of denominators of the forces whose own snapshots publish the entry (complete data, not suppressed); the others are listed in leftOut with the reason. No rank or average unless another force of the group has figures',
      similar:
        "within ±5% of the average, or, for shares and rates, the force's own 95% score interval holds the average",
      rankInterval:
        '95% rank interval (Klein, Wright and Wieczorek 2020): Wilson (or Poisson score) intervals at 1 − 0.05/K for the K ranked forces; best rank 1 + the forces surely better, worst rank K − the forces surely worse; on measures whose numerators count events',
    },
    nationalOutliers:
      'unweighted mean ± 1 SD across forces whose own snapshots publish the entry (complete data, not suppressed) or whose published figure is loaded; on logs when the values fail Shapiro–Wilk (α = 0.05) and their logs pass; a share or rate is flagged only when its whole 95% score interval lies outside the band (Spiegelhalter 2005)',
    confidenceIntervals:
      '95%: normal approximation p ± 1.96·√(p(1−p)/n); Wilson interval added when n < 30 or fewer than 5 successes or failures',
  };
}
