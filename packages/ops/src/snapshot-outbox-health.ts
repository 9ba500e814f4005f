import { type DbOrTransaction, summariseSnapshotOutbox } from '@rollcall/db';
import type { HealthStatus } from './health-status.ts';

/** A snapshot whose delivery was tried and failed, as status shows it. */
export interface FailingSnapshotDelivery {
  readonly snapshotId: string;
  readonly forceId: string;
  readonly asOf: string;
  /** Failed attempts since it was requested. */
  readonly attempts: number;
  readonly lastError: string | null;
}

/** The snapshot outbox's part of the status report (`snapshotOutbox` in `--format json`). */
export interface SnapshotOutboxHealth {
  /** `warn` while any committed snapshot's files or message failed to be delivered. */
  readonly status: HealthStatus;
  /** Committed snapshots not delivered yet, failing or not yet tried. */
  readonly undelivered: number;
  /** Of those, the ones whose last delivery attempt failed. */
  readonly failingCount: number;
  /** The oldest failing deliveries, at most FAILING_DELIVERIES_SHOWN. */
  readonly failing: readonly FailingSnapshotDelivery[];
  /** One sentence per failing delivery (and one for any beyond those shown). */
  readonly reasons: readonly string[];
}

export const FAILING_DELIVERIES_SHOWN = 5;

const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;

/**
 * Checks the snapshot outbox. A snapshot is published when it commits; its files (`SNAPSHOT_DIR`,
 * `latest.*`) and its `snapshots.published` message are delivered after, and retried only by the
 * next publication of its force, the next nightly run or a scheduler start. Until then the API
 * serves the new snapshot while files and dashboards fed from them show the old one, so a failed
 * delivery warns (issue 15) until the outbox catches up. A row not yet tried (a crash right after
 * the commit) does not: it is delivered at the next start, and the undelivered gauge shows it.
 */
export async function checkSnapshotOutbox(db: DbOrTransaction): Promise<SnapshotOutboxHealth> {
  const summary = await summariseSnapshotOutbox(db, { failingShown: FAILING_DELIVERIES_SHOWN });
  const failing = summary.failing.map(({ snapshotId, forceId, asOf, attempts, lastError }) => ({
    snapshotId,
    forceId,
    asOf,
    attempts,
    lastError,
  }));
  const reasons = failing.map(
    (row) =>
      `${row.snapshotId} is published but its files or message are not delivered after ${plural(row.attempts, 'attempt')} (${oneLine(row.lastError ?? 'no error recorded')}); fix the cause: the next publication of ${row.forceId}, nightly run or scheduler start delivers it`,
  );
  const more = summary.failingCount - failing.length;
  if (more > 0)
    reasons.push(`and ${plural(more, 'more snapshot')} whose delivery failed (snapshot_outbox rows with attempts > 0)`);
  return {
    status: summary.failingCount > 0 ? 'warn' : 'ok',
    undelivered: summary.undelivered,
    failingCount: summary.failingCount,
    failing,
    reasons,
  };
}

const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, '; ').trim();
