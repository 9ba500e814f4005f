import { addDays, createCalendar, type LocalDate } from '@rollcall/calendar';

export interface NightlyWindowInput {
  /** The instant of the run (epoch ms). */
  readonly now: number;
  /** IANA zone of the reporting calendar (config `timeZone`, Europe/London by default). */
  readonly timeZone: string;
  /** At most this many dates are run (config `nightly.catchUpDays`, 7 by default); at least 1. */
  readonly catchUpDays: number;
}

/** The dates a run at `now` may publish: the last `catchUpDays` finished days, inclusive. */
export interface NightlyWindow {
  readonly first: LocalDate;
  /** Yesterday on the reporting calendar. */
  readonly last: LocalDate;
}

/**
 * The catch-up window of a run at `now`. A run publishes finished days only, so the newest date
 * is yesterday on the reporting calendar: the local date of `now` minus one day. Local dates are
 * counted as calendar days, never as 24-hour steps from an instant, so a 23- or 25-hour day (the
 * DST changes) can neither be skipped nor counted twice, whatever the hour of the run.
 */
export function nightlyWindow(input: NightlyWindowInput): NightlyWindow {
  const { now, timeZone, catchUpDays } = input;
  if (!Number.isInteger(catchUpDays) || catchUpDays < 1) {
    throw new RangeError(`catchUpDays must be a whole number of days, at least 1 (got ${catchUpDays})`);
  }
  const last = addDays(createCalendar(timeZone).dayOf(now), -1);
  return { first: addDays(last, -(catchUpDays - 1)), last };
}

export interface NightlyDatesInput extends NightlyWindowInput {
  /** The latest `asOf` the ledger records as succeeded, or null when none has. */
  readonly latestSucceeded: LocalDate | null;
  /**
   * The earliest `asOf` the ledger records in any state, or null for an empty ledger: where the
   * ledger starts, so that dates before the installation are never published, while a first run
   * that failed is still caught up.
   */
  readonly firstRecorded?: LocalDate | null;
  /** Dates the ledger records as succeeded: at least those inside the window. */
  readonly succeeded?: readonly LocalDate[];
  /**
   * Dates the ledger records as failed or running (a run that died): at least those before the
   * window. They are out of reach now and come back as `skipped`.
   */
  readonly unfinished?: readonly LocalDate[];
}

export interface NightlyDates {
  /** Dates to publish, oldest first: every date of the window not yet succeeded. */
  readonly dates: readonly LocalDate[];
  /** Dates older than the window that never succeeded, oldest first: recorded as skipped, never run. */
  readonly skipped: readonly LocalDate[];
}

const later = (a: LocalDate, b: LocalDate): LocalDate => (a > b ? a : b);

/**
 * Which dates a nightly run at `now` publishes.
 *
 * - Empty ledger: yesterday alone (a new installation does not publish history).
 * - Otherwise every date of the window (`nightlyWindow`), from the ledger's first date on, that
 *   has not succeeded: the missed dates since the latest success, and also a date that failed or
 *   was skipped while a later one succeeded. The range is not "after the latest success" because
 *   one failing date does not hold the later ones back (see `runNightly`), so a later success
 *   must not hide an earlier failure: it is retried on every fire while inside the window.
 * - Dates older than the window that never succeeded come back as `skipped`: those missed since
 *   the latest success, and those whose latest attempt failed or never finished. So a long outage
 *   ends with a bounded amount of work, and the gap stays visible in the ledger rather than
 *   silently absent.
 */
export function nightlyDates(input: NightlyDatesInput): NightlyDates {
  const { latestSucceeded, firstRecorded = null } = input;
  const window = nightlyWindow(input);
  if (latestSucceeded === null && firstRecorded === null) return { dates: [window.last], skipped: [] };

  const succeeded = new Set(input.succeeded ?? []);
  if (latestSucceeded !== null) succeeded.add(latestSucceeded);
  // Where the ledger starts; without it (callers that give only the latest success), after that.
  // One of the two is set: both null returned above.
  const start = firstRecorded ?? addDays(latestSucceeded ?? window.last, 1);

  const dates: LocalDate[] = [];
  for (let day = later(start, window.first); day <= window.last; day = addDays(day, 1)) {
    if (!succeeded.has(day)) dates.push(day);
  }

  const skipped = new Set<LocalDate>();
  const missedFrom = latestSucceeded !== null ? later(start, addDays(latestSucceeded, 1)) : start;
  for (let day = missedFrom; day < window.first; day = addDays(day, 1)) skipped.add(day);
  for (const day of input.unfinished ?? []) if (day < window.first && !succeeded.has(day)) skipped.add(day);
  return { dates, skipped: [...skipped].sort() };
}
