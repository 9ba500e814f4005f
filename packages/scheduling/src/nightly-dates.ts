import { addDays, createCalendar, type LocalDate } from '@rollcall/calendar';

export interface NightlyDatesInput {
  /** The instant of the run (epoch ms). */
  readonly now: number;
  /** IANA zone of the reporting calendar (config `timeZone`, Europe/London by default). */
  readonly timeZone: string;
  /** The latest `asOf` the ledger records as succeeded, or null when none has. */
  readonly latestSucceeded: LocalDate | null;
  /**
   * The earliest `asOf` the ledger records in any state, or null for an empty ledger. Only read
   * when nothing has succeeded yet: then a first run that failed is still caught up, instead of
   * being forgotten because no success anchors the range.
   */
  readonly firstRecorded?: LocalDate | null;
  /** At most this many dates are run (config `nightly.catchUpDays`, 7 by default); at least 1. */
  readonly catchUpDays: number;
}

export interface NightlyDates {
  /** Dates to publish, oldest first; the last is always the day before `now` in `timeZone`. */
  readonly dates: readonly LocalDate[];
  /** Missed dates older than the catch-up limit, oldest first: recorded as skipped, never run. */
  readonly skipped: readonly LocalDate[];
}

/**
 * Which dates a nightly run at `now` publishes. A run publishes finished days only, so the newest
 * date is yesterday on the reporting calendar: the local date of `now` minus one day. Local dates
 * are counted as calendar days, never as 24-hour steps from an instant, so a 23- or 25-hour day
 * (the DST changes) can neither be skipped nor counted twice, whatever the hour of the run.
 *
 * - Empty ledger: yesterday alone (a new installation does not publish history).
 * - Otherwise every date from the day after `latestSucceeded` to yesterday, inclusive (nothing when
 *   `latestSucceeded` is yesterday or later). With no success yet, the range starts at
 *   `firstRecorded` instead.
 * - Of that range only the newest `catchUpDays` dates are run; the older ones come back as
 *   `skipped`, so that a long outage ends with a bounded amount of work and the gap stays visible
 *   in the ledger rather than silently absent.
 */
export function nightlyDates(input: NightlyDatesInput): NightlyDates {
  const { now, timeZone, latestSucceeded, firstRecorded = null, catchUpDays } = input;
  if (!Number.isInteger(catchUpDays) || catchUpDays < 1) {
    throw new RangeError(`catchUpDays must be a whole number of days, at least 1 (got ${catchUpDays})`);
  }
  const yesterday = addDays(createCalendar(timeZone).dayOf(now), -1);
  const first = latestSucceeded !== null ? addDays(latestSucceeded, 1) : (firstRecorded ?? yesterday);

  const missed: LocalDate[] = [];
  for (let day = first; day <= yesterday; day = addDays(day, 1)) missed.push(day);
  const cut = Math.max(0, missed.length - catchUpDays);
  return { dates: missed.slice(cut), skipped: missed.slice(0, cut) };
}
