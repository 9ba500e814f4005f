import type { NightlyRunReport } from './run-nightly.ts';

/**
 * Another nightly run held the lock for longer than this one would wait. Retryable: by the time
 * the job's backoff brings it back, the other run has done the dates and this one finds none left.
 */
export class NightlyRunBusyError extends Error {
  override readonly name = 'NightlyRunBusyError';
  constructor(readonly waitedMs: number) {
    super(`another nightly run is in progress (waited ${waitedMs} ms for it)`);
  }
}

/**
 * Dates (or the revision of stale snapshots) failed. Thrown after the ledger recorded them, so the
 * job retries with backoff and, once its attempts are spent, stays failed where people look.
 */
export class NightlyRunFailedError extends Error {
  override readonly name = 'NightlyRunFailedError';
  constructor(readonly report: NightlyRunReport) {
    const parts: string[] = [];
    for (const failed of report.dates.filter((date) => date.state === 'failed')) {
      const attempt = failed.attempt !== null ? ` (attempt ${failed.attempt})` : '';
      parts.push(`nightly run as of ${failed.asOf} failed${attempt}: ${failed.error}`);
    }
    if (report.reviseError !== null) parts.push(`revising stale snapshots failed: ${report.reviseError}`);
    super(parts.join('; '));
  }
}
