import type { Config } from '@rollcall/config';
import type { Db } from '@rollcall/db';
import type { Logger } from '@rollcall/logger';
import type { DisclosureRule, NearlyMetRule, TrendThresholds } from '@rollcall/measures';
import type { QueueFactory } from '@rollcall/queue';

/** What publication needs: where to read and write, and the rules it publishes under. */
export interface PublishDeps {
  readonly db: Db;
  /** Announces each new snapshot on `snapshots.published`; omitted in tests that do not need it. */
  readonly queues?: QueueFactory;
  /** Where JSON and CSV files go (SNAPSHOT_DIR); null to write none. */
  readonly snapshotDir: string | null;
  readonly disclosure: DisclosureRule;
  /**
   * Trend labels' thresholds, in percent of the earlier value (TREND_STABLE_PERCENT and
   * TREND_STRONG_PERCENT; default 5% / 15%, measures.md). Stated in every snapshot's rules.
   */
  readonly trendThresholds?: TrendThresholds;
  /** TARGET_NEARLY_MET (default `interval-reaches-target`); stated in every snapshot's rules. */
  readonly nearlyMet?: NearlyMetRule;
  readonly timeZone: string;
  readonly log: Logger;
  readonly now?: () => Date;
}

/** The publication settings of a deployment (SNAPSHOT_DIR, SUPPRESS_MAX_COUNT, TREND_*, TZ_REPORTING). */
export function publishDepsOf(
  config: Config,
  resources: { readonly db: Db; readonly queues: QueueFactory; readonly log: Logger },
): PublishDeps {
  return {
    db: resources.db,
    queues: resources.queues,
    snapshotDir: config.snapshotDir,
    disclosure: { maxSuppressedCount: config.suppressMaxCount },
    trendThresholds: config.trendThresholds,
    nearlyMet: config.nearlyMet,
    timeZone: config.timeZone,
    log: resources.log,
  };
}
