import { createCalendar, type LocalDate } from '@rollcall/calendar';
import {
  type Db,
  findSnapshotHead,
  lockSnapshotKey,
  readForceIds,
  readRelease,
  type ReleaseEntry,
  upsertRelease,
} from '@rollcall/db';

/** A release that cannot be scheduled; the message names what and why. */
export class ReleaseScheduleError extends Error {
  override readonly name = 'ReleaseScheduleError';
}

export interface ScheduleReleaseRequest {
  readonly forceId: string;
  readonly asOf: LocalDate;
  readonly releaseAt: Date;
  /** The zone the time was announced in, kept to show it back. */
  readonly timeZone: string;
}

/**
 * Puts a release in the calendar (or moves one still to come). Refused: an unknown force; a time
 * not in the future, or before the as-of day has ended (the snapshot would hold part of a day);
 * a release already due (what is out cannot be called back); a force and date already published
 * without an embargo (some have seen it: pre-announcement cannot apply after the fact). Under the
 * (force, date) publication lock, so a nightly run cannot publish between the check and the write.
 */
export async function scheduleRelease(db: Db, request: ScheduleReleaseRequest, now: Date): Promise<ReleaseEntry> {
  const { forceId, asOf, releaseAt, timeZone } = request;
  if (!(await readForceIds(db)).has(forceId))
    throw new ReleaseScheduleError(`--force: ${JSON.stringify(forceId)} is not a force of the reference data`);
  if (releaseAt.getTime() <= now.getTime()) {
    throw new ReleaseScheduleError(
      `--at: ${releaseAt.toISOString()} is not in the future (now ${now.toISOString()}): a release is announced ahead`,
    );
  }
  const dayEnds = createCalendar(timeZone).endOfDay(asOf);
  if (releaseAt.getTime() < dayEnds) {
    throw new ReleaseScheduleError(
      `--at: ${releaseAt.toISOString()} is before the end of ${asOf} (${new Date(dayEnds).toISOString()}): the snapshot would not hold the whole day`,
    );
  }
  return db.transaction().execute(async (trx) => {
    await lockSnapshotKey(trx, forceId, asOf);
    const existing = await readRelease(trx, forceId, asOf);
    if (existing && existing.releaseAt.getTime() <= now.getTime()) {
      throw new ReleaseScheduleError(
        `${forceId} as of ${asOf} was due for release at ${existing.releaseAt.toISOString()}: a release cannot be moved once due`,
      );
    }
    const head = await findSnapshotHead(trx, forceId, asOf);
    if (head && !existing) {
      throw new ReleaseScheduleError(
        `${forceId} as of ${asOf} is already published (${head.snapshotId}): a release can be announced only before the date is published`,
      );
    }
    return upsertRelease(trx, { forceId, asOf, releaseAt, timeZone, announcedAt: now });
  });
}
