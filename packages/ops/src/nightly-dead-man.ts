import { readNightlyRunHistory, type DbOrTransaction } from '@rollcall/db';
import type { HealthStatus } from './health-status.ts';

export interface NightlyDeadManOptions {
  /** Hours without a successful run before it is critical (config `nightly.deadManHours`, 26 by default). */
  readonly deadManHours: number;
  /** Epoch ms; default `Date.now()`. */
  readonly now?: number;
}

export interface NightlyLatestRun {
  readonly asOf: string;
  readonly state: string;
  readonly finishedAt: string | null;
  readonly error: string | null;
}

/** The nightly run's health, JSON-ready. */
export interface NightlyDeadMan {
  readonly status: HealthStatus;
  /** ISO instant the latest successful run finished; null when none ever succeeded. */
  readonly lastSuccessAt: string | null;
  /** The day that run published (`YYYY-MM-DD`). */
  readonly lastSuccessAsOf: string | null;
  readonly hoursSinceSuccess: number | null;
  /** The run that finished last (or started last, if none has finished), whatever its state. */
  readonly latestRun: NightlyLatestRun | null;
  /** Dates whose run is `failed` and has not succeeded since (each warns). */
  readonly failedDates: number;
  /** Why the status is not `ok`; null when it is. */
  readonly reason: string | null;
}

const HOUR_MS = 3_600_000;
const hours = (value: number): string => `${value.toFixed(1)} h`;
const firstLine = (text: string | null): string => (text ?? 'no error recorded').split('\n', 1)[0]?.slice(0, 200) ?? '';

/**
 * A dead man's switch on the nightly run: it must succeed at least every `deadManHours` (26 by
 * default: a day plus two hours of slack for a slow run or a DST night). Silence is critical. A
 * date whose run failed and has not since succeeded warns even inside the window: a run carries
 * on to later dates after a failure, so the latest run can succeed while an earlier date is still
 * unpublished.
 */
export async function checkNightlyDeadMan(
  db: DbOrTransaction,
  options: NightlyDeadManOptions,
): Promise<NightlyDeadMan> {
  const now = options.now ?? Date.now();
  const { lastSuccess: success, latest, oldestFailed: stillFailed } = await readNightlyRunHistory(db);
  const latestRun: NightlyLatestRun | null = latest
    ? { ...latest, finishedAt: latest.finishedAt?.toISOString() ?? null }
    : null;
  const failedDates = stillFailed?.dates ?? 0;
  const failed = stillFailed
    ? `nightly run as of ${stillFailed.asOf} failed${failedDates > 1 ? ` (and ${failedDates - 1} later date(s))` : ''} and has not succeeded since: ${firstLine(stillFailed.error)}`
    : undefined;

  if (!success) {
    const what = latestRun ? `latest run as of ${latestRun.asOf} is ${latestRun.state}` : 'none has run';
    return {
      status: 'critical',
      lastSuccessAt: null,
      lastSuccessAsOf: null,
      hoursSinceSuccess: null,
      latestRun,
      failedDates,
      reason: `no nightly run has ever succeeded (${what})`,
    };
  }
  const lastSuccessAt = success.finishedAt;
  const hoursSinceSuccess = (now - lastSuccessAt.getTime()) / HOUR_MS;
  const common = {
    lastSuccessAt: lastSuccessAt.toISOString(),
    lastSuccessAsOf: success.asOf,
    hoursSinceSuccess,
    latestRun,
    failedDates,
  };
  if (hoursSinceSuccess > options.deadManHours) {
    const silence = `last successful nightly run (as of ${success.asOf}) finished ${hours(hoursSinceSuccess)} ago (critical after ${options.deadManHours} h)`;
    return { ...common, status: 'critical', reason: failed ? `${silence}; ${failed}` : silence };
  }
  if (failed) return { ...common, status: 'warn', reason: failed };
  return { ...common, status: 'ok', reason: null };
}
