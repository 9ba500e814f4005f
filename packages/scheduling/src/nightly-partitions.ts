import { addMonths, createCalendar, firstOfMonth, monthOf } from '@rollcall/calendar';
import {
  countDefaultPartitionRows,
  type Db,
  dropMonthPartitionsBefore,
  ensureMonthPartitions,
  MONTH_PARTITIONED_TABLES,
  type MonthPartitionedTable,
  type RetentionOutcome,
} from '@rollcall/db';
import type { Logger } from '@rollcall/logger';

/** What the nightly run keeps ahead and behind in the month-partitioned tables (config `partitions`). */
export interface PartitionPolicy {
  /** Months after the current one whose partitions exist before their first event (3 by default). */
  readonly monthsAhead: number;
  /**
   * Months kept, counting the current one; older months are dropped as whole partitions. null
   * keeps everything (the default for both). `events`: replay is refused once any are dropped,
   * as a lifecycle can span years. `daily_aggregates`: at least 25 (config refuses less), as a
   * snapshot reads the days of its as-of month and of the same month a year earlier.
   */
  readonly keepMonths: Readonly<Record<MonthPartitionedTable, number | null>>;
}

export const DEFAULT_PARTITION_POLICY: PartitionPolicy = {
  monthsAhead: 3,
  keepMonths: { events: null, daily_aggregates: null },
};

export interface PartitionMaintenance {
  /** Partitions made, by table. */
  readonly created: Readonly<Record<MonthPartitionedTable, readonly string[]>>;
  readonly retention: readonly RetentionOutcome[];
  /** Rows in each DEFAULT partition after the run: months that have no partition of their own. */
  readonly defaultRows: Readonly<Record<MonthPartitionedTable, number>>;
}

/**
 * The nightly upkeep of the month partitions: makes the partitions of this month (on the reporting
 * calendar) and the next `monthsAhead`, so live events never land in the DEFAULT partition, and
 * applies retention by dropping whole months. Idempotent: a second run the same night does nothing.
 */
export async function maintainMonthPartitions(
  db: Db,
  options: { readonly now: number; readonly timeZone: string; readonly policy: PartitionPolicy; readonly log: Logger },
): Promise<PartitionMaintenance> {
  const { policy, timeZone } = options;
  const thisMonth = firstOfMonth(createCalendar(timeZone).dayOf(options.now));
  const months = Array.from({ length: policy.monthsAhead + 1 }, (_, n) => monthOf(addMonths(thisMonth, n)));
  const created = { events: [] as string[], daily_aggregates: [] as string[] };
  const retention: RetentionOutcome[] = [];
  const defaultRows = { events: 0, daily_aggregates: 0 };
  for (const table of MONTH_PARTITIONED_TABLES) {
    created[table] = await ensureMonthPartitions(db, table, months, timeZone);
    const keep = policy.keepMonths[table];
    if (keep !== null) {
      const outcome = await dropMonthPartitionsBefore(db, table, addMonths(thisMonth, 1 - keep), timeZone);
      if (outcome.dropped.length > 0 || outcome.defaultRowsDeleted > 0) retention.push(outcome);
    }
    defaultRows[table] = await countDefaultPartitionRows(db, table);
  }
  options.log.info({ created, retention, defaultRows }, 'month partitions maintained');
  return { created, retention, defaultRows };
}
