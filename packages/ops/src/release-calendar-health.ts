import { type DbOrTransaction, findDueUnreleased, findReleasedSince, type ReleaseEntry } from '@rollcall/db';
import type { HealthStatus } from './health-status.ts';

/** Where a release stands at an instant (`rollcall release list`, status). */
export type ReleaseState = 'embargoed' | 'due' | 'released' | 'released-late';

/**
 * A release whose files and message went out more than this after the announced time was missed
 * (the scheduler watches every 30 s, so a release on time is delivered well within it).
 */
export const LATE_RELEASE_MS = 5 * 60_000;

/** How long status keeps warning about a release delivered late: a day, so the next shift sees it. */
export const LATE_RELEASE_WARN_MS = 24 * 3_600_000;

export function releaseStateOf(release: ReleaseEntry, now: number): ReleaseState {
  if (release.releaseAt.getTime() > now) return 'embargoed';
  if (release.releasedAt === null) return 'due';
  return release.releasedAt.getTime() - release.releaseAt.getTime() > LATE_RELEASE_MS ? 'released-late' : 'released';
}

/** The release calendar's part of the status report (`releases` in `--format json`). */
export interface ReleaseCalendarHealth {
  /** `warn` while a release is overdue, and for a day after one was delivered late. */
  readonly status: HealthStatus;
  readonly overdue: readonly { readonly forceId: string; readonly asOf: string; readonly releaseAt: string }[];
  readonly late: readonly {
    readonly forceId: string;
    readonly asOf: string;
    readonly releaseAt: string;
    readonly releasedAt: string;
  }[];
  readonly reasons: readonly string[];
}

const minutes = (ms: number): string => `${Math.round(ms / 60_000)} min`;

/**
 * Checks the pre-announced releases: one past its time whose files and `snapshots.published`
 * message are not out (the scheduler was down at release time, or the date's snapshot is not
 * computed yet: the API shows a computed one from the announced time anyway), and one delivered
 * late in the last day. Both break the announced timetable for file and message users.
 */
export async function checkReleaseCalendar(db: DbOrTransaction, now: number): Promise<ReleaseCalendarHealth> {
  const [due, released] = await Promise.all([
    findDueUnreleased(db, new Date(now - LATE_RELEASE_MS)),
    findReleasedSince(db, new Date(now - LATE_RELEASE_WARN_MS)),
  ]);
  const overdue = due.map((release) => ({
    forceId: release.forceId,
    asOf: release.asOf,
    releaseAt: release.releaseAt.toISOString(),
  }));
  const late = released
    .filter((release) => releaseStateOf(release, now) === 'released-late')
    .map((release) => ({
      forceId: release.forceId,
      asOf: release.asOf,
      releaseAt: release.releaseAt.toISOString(),
      releasedAt: (release.releasedAt ?? release.releaseAt).toISOString(),
    }));
  const reasons = [
    ...overdue.map(
      (release) =>
        `${release.forceId} as of ${release.asOf} was due for release at ${release.releaseAt} and its files and message are not out ${minutes(now - Date.parse(release.releaseAt))} later: is the scheduler running, and the date published?`,
    ),
    ...late.map(
      (release) =>
        `${release.forceId} as of ${release.asOf} was released ${minutes(Date.parse(release.releasedAt) - Date.parse(release.releaseAt))} late, at ${release.releasedAt} instead of ${release.releaseAt} (the scheduler missed it)`,
    ),
  ];
  return { status: reasons.length > 0 ? 'warn' : 'ok', overdue, late, reasons };
}
