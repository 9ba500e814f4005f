import {
  claimNightlyRun,
  type Db,
  markNightlyRunFailed,
  markNightlyRunSucceeded,
  type NightlyTrigger,
  readNightlyLedgerView,
  recordSkippedNightlyRuns,
} from '@rollcall/db';
import type { Logger } from '@rollcall/logger';
import { nightlyDates, nightlyWindow } from './nightly-dates.ts';
import { NightlyRunFailedError } from './nightly-errors.ts';
import { withNightlyLock } from './nightly-lock.ts';
import { DEFAULT_PARTITION_POLICY, maintainMonthPartitions, type PartitionPolicy } from './nightly-partitions.ts';
import type { NightlyPublication, PublishSnapshot, ReviseStaleSnapshots } from './nightly-publication.ts';

export interface RunNightlyOptions {
  readonly db: Db;
  /** Forces to publish, in this order (config `forces`); at least one. */
  readonly forces: readonly string[];
  /** Reporting time zone (config `timeZone`). */
  readonly timeZone: string;
  /** Most dates one run publishes (config `nightly.catchUpDays`, 7 by default). */
  readonly catchUpDays: number;
  readonly publish: PublishSnapshot;
  readonly reviseStale: ReviseStaleSnapshots;
  /**
   * Delivers snapshots committed but not yet written out (the publishing outbox: files and the
   * `snapshot.published` message), before the dates. Optional; its failure is logged, not fatal:
   * each publication delivers its own snapshot and fails its force if it cannot.
   */
  readonly deliverPending?: () => Promise<unknown>;
  /** Month partitions made ahead and retention (config `partitions`); 3 months ahead, nothing dropped by default. */
  readonly partitions?: PartitionPolicy;
  /** The clock, epoch ms; `Date.now` by default. Tests pass a fixed instant. */
  readonly now?: () => number;
  readonly log: Logger;
  readonly trigger: NightlyTrigger;
  /** How long to wait for another run in progress, in ms (default 60 000). */
  readonly lockWaitMs?: number;
}

/** One date of a run. */
export interface NightlyDateReport {
  readonly asOf: string;
  /** What this run did: published it, failed it, or found it already succeeded. */
  readonly state: 'succeeded' | 'failed' | 'already-succeeded';
  /** The ledger's attempt number for this claim; null when not claimed. */
  readonly attempt: number | null;
  /** Forces published (on failure: those that did publish). */
  readonly published: readonly NightlyPublication[];
  readonly error: string | null;
}

/** What a nightly run did; JSON-ready (it is the job's return value). */
export interface NightlyRunReport {
  readonly trigger: NightlyTrigger;
  /** ISO instant the run started (after taking the lock). */
  readonly startedAt: string;
  /** Dates attempted, oldest first, whatever happened to the ones before. */
  readonly dates: readonly NightlyDateReport[];
  /** Dates beyond the catch-up limit, recorded as skipped, oldest first. */
  readonly skipped: readonly string[];
  /** Stale heads republished after the dates. */
  readonly revised: readonly NightlyPublication[];
  readonly reviseError: string | null;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * The nightly run. Under the nightly lock (one run at a time across processes), it:
 * 1. delivers snapshots left undelivered by a process that died after committing them
 *    (`deliverPending`, when given);
 * 1b. makes the month partitions ahead and applies retention (`maintainMonthPartitions`);
 * 2. computes its dates from the ledger (`nightlyDates`): every date of the catch-up window
 *    (the last `catchUpDays` days up to yesterday) not yet succeeded, oldest first; older missed
 *    or failed dates are recorded as `skipped`;
 * 3. for each date, oldest first: claims it in the ledger, publishes every force, and records
 *    `succeeded`, or `failed` with each failing force's error. Every force is attempted even after
 *    one fails, and every date even after one fails: each force and date is its own snapshot,
 *    and `latest.*` follows the database's newest snapshot whatever order they are published in,
 *    so one bad date (say, a force's corrupt day) need not hold yesterday's publication back. The
 *    failed date stays in the window's unsucceeded dates, so the job's retry and every later fire
 *    run it again (publishing is idempotent: the forces that did publish publish nothing new).
 *    A failure of the ledger itself (PostgreSQL gone) ends the run at once, as nothing after it
 *    could be recorded either;
 * 4. calls `reviseStale()` once, whatever happened to the dates.
 *
 * Returns the report; throws NightlyRunFailedError (carrying it) after recording when a date or
 * the revision failed, so the job is retried with backoff and visibly failed once out of attempts.
 * Throws NightlyRunBusyError when another run held the lock for longer than `lockWaitMs`.
 */
export async function runNightly(options: RunNightlyOptions): Promise<NightlyRunReport> {
  const { db, forces, timeZone, catchUpDays, publish, reviseStale, log, trigger } = options;
  const now = options.now ?? Date.now;
  if (forces.length === 0) throw new RangeError('the nightly run needs at least one force');

  const report: NightlyRunReport = await withNightlyLock(db, { waitMs: options.lockWaitMs }, async (conn) => {
    const startedAt = now();
    if (options.deliverPending) {
      try {
        await options.deliverPending();
      } catch (err) {
        log.error({ err }, 'delivering pending snapshots failed; the next publication or run retries');
      }
    }
    try {
      const policy = options.partitions ?? DEFAULT_PARTITION_POLICY;
      await maintainMonthPartitions(db, { now: startedAt, timeZone, policy, log });
    } catch (err) {
      // Not fatal: without this month's partition its rows go to DEFAULT, and the next run moves them.
      log.error({ err }, 'month partition upkeep failed; the next run tries again');
    }
    const window = nightlyWindow({ now: startedAt, timeZone, catchUpDays });
    const plan = nightlyDates({
      now: startedAt,
      timeZone,
      catchUpDays,
      ...(await readNightlyLedgerView(conn, window.first)),
    });
    log.info({ trigger, dates: plan.dates, skipped: plan.skipped }, 'nightly run started');

    if (plan.skipped.length > 0) {
      await recordSkippedNightlyRuns(conn, plan.skipped, {
        trigger,
        now: now(),
        reason: `more than ${catchUpDays} days behind (catch-up limit)`,
        takeOverRunning: true,
      });
      log.warn({ skipped: plan.skipped, catchUpDays }, 'missed dates beyond the catch-up limit recorded as skipped');
    }

    const dates: NightlyDateReport[] = [];
    for (const asOf of plan.dates) dates.push(await runDate(asOf));

    let revised: readonly NightlyPublication[] = [];
    let reviseError: string | null = null;
    try {
      revised = await reviseStale();
      if (revised.length > 0) log.info({ revised: revised.length }, 'stale snapshots revised');
    } catch (err) {
      reviseError = messageOf(err);
      log.error({ err }, 'revising stale snapshots failed');
    }

    return {
      trigger,
      startedAt: new Date(startedAt).toISOString(),
      dates,
      skipped: plan.skipped,
      revised,
      reviseError,
    };

    async function runDate(asOf: string): Promise<NightlyDateReport> {
      // Under the lock any `running` row is a dead run's, so it is taken over (see claimNightlyRun).
      const claim = await claimNightlyRun(conn, asOf, { trigger, now: now(), takeOverRunning: true });
      if (!claim.claimed) {
        if (claim.run?.state === 'succeeded')
          return { asOf, state: 'already-succeeded', attempt: null, published: [], error: null };
        // Not reachable while every claim is made under the lock.
        const error = `could not claim ${asOf} (state ${claim.run?.state ?? 'missing'})`;
        return { asOf, state: 'failed', attempt: null, published: [], error };
      }
      const attempt = claim.run.attempts;
      const dateLog = log.child({ asOf, attempt });
      const published: NightlyPublication[] = [];
      const errors: string[] = [];
      for (const forceId of forces) {
        try {
          published.push(await publish(forceId, asOf));
        } catch (err) {
          errors.push(`${forceId}: ${messageOf(err)}`);
          dateLog.error({ err, forceId }, 'nightly publish failed');
        }
      }
      if (errors.length > 0) {
        const error = errors.join('; ');
        const recorded = await markNightlyRunFailed(conn, asOf, { attempt, now: now(), published, error });
        if (!recorded) dateLog.warn('nightly run was taken over before it could record its failure');
        return { asOf, state: 'failed', attempt, published, error };
      }
      const recorded = await markNightlyRunSucceeded(conn, asOf, { attempt, now: now(), published });
      if (!recorded) dateLog.warn('nightly run was taken over before it could record its success');
      dateLog.info(
        { published: published.length, created: published.filter((p) => p.created).length },
        'nightly date published',
      );
      return { asOf, state: 'succeeded', attempt, published, error: null };
    }
  });

  const failed = report.dates.some((date) => date.state === 'failed') || report.reviseError !== null;
  log.info(
    {
      trigger,
      succeeded: report.dates.filter((date) => date.state === 'succeeded').map((date) => date.asOf),
      failedDates: report.dates.filter((date) => date.state === 'failed').map((date) => date.asOf),
      skipped: report.skipped.length,
      failed,
    },
    'nightly run finished',
  );
  if (failed) throw new NightlyRunFailedError(report);
  return report;
}
