/**
 * Civil dates as `YYYY-MM-DD` strings. A local date has no time zone: it names a day on the
 * reporting calendar (London by default), and the functions here are plain proleptic Gregorian
 * arithmetic on it. Strings sort in date order, which the rest of the code relies on.
 */
export type LocalDate = string;

const DAY_MS = 86_400_000;
const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLocalDate(value: string): value is LocalDate {
  const match = DATE_PATTERN.exec(value);
  if (!match) return false;
  const [, y, m, d] = match;
  const time = Date.UTC(Number(y), Number(m) - 1, Number(d));
  return new Date(time).toISOString().slice(0, 10) === value;
}

export function assertLocalDate(value: string, what = 'date'): LocalDate {
  if (!isLocalDate(value))
    throw new RangeError(`${what} must be a calendar date YYYY-MM-DD (got ${JSON.stringify(value)})`);
  return value;
}

// Day arithmetic runs per entity when replay folds millions of them, and a Date per conversion
// showed in its profile (issue 19): each conversion is remembered (a few thousand days in use at
// most; cleared if ever past the bound). It also hands out one string per day, whose hash V8
// keeps for the map lookups that follow.
const MAX_REMEMBERED_DAYS = 100_000;
const epochDayOf = new Map<LocalDate, number>();
const dayOfEpochDay = new Map<number, LocalDate>();

/** Days since 1970-01-01 of a local date. */
export function toEpochDay(day: LocalDate): number {
  let epochDay = epochDayOf.get(day);
  if (epochDay === undefined) {
    epochDay = Math.floor(
      Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10))) / DAY_MS,
    );
    if (epochDayOf.size >= MAX_REMEMBERED_DAYS) epochDayOf.clear();
    epochDayOf.set(day, epochDay);
  }
  return epochDay;
}

export function fromEpochDay(epochDay: number): LocalDate {
  let day = dayOfEpochDay.get(epochDay);
  if (day === undefined) {
    day = new Date(epochDay * DAY_MS).toISOString().slice(0, 10);
    if (dayOfEpochDay.size >= MAX_REMEMBERED_DAYS) dayOfEpochDay.clear();
    dayOfEpochDay.set(epochDay, day);
  }
  return day;
}

export function addDays(day: LocalDate, days: number): LocalDate {
  return fromEpochDay(toEpochDay(day) + days);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: LocalDate, to: LocalDate): number {
  return toEpochDay(to) - toEpochDay(from);
}

const daysInMonth = (year: number, month1: number): number => new Date(Date.UTC(year, month1, 0)).getUTCDate();

/**
 * Calendar-month arithmetic with the end-of-month clamp that date-fns and most people use:
 * 31 August minus 6 months is 28 (or 29) February.
 */
export function addMonths(day: LocalDate, months: number): LocalDate {
  const year = Number(day.slice(0, 4));
  const month0 = Number(day.slice(5, 7)) - 1 + months;
  const targetYear = year + Math.floor(month0 / 12);
  const targetMonth1 = (((month0 % 12) + 12) % 12) + 1;
  const dayOfMonth = Math.min(Number(day.slice(8, 10)), daysInMonth(targetYear, targetMonth1));
  return `${String(targetYear).padStart(4, '0')}-${String(targetMonth1).padStart(2, '0')}-${String(dayOfMonth).padStart(2, '0')}`;
}

/** `YYYY-MM` of a date. */
export function monthOf(day: LocalDate): string {
  return day.slice(0, 7);
}

export function firstOfMonth(day: LocalDate): LocalDate {
  return `${day.slice(0, 7)}-01`;
}

export function lastOfMonth(day: LocalDate): LocalDate {
  return addDays(addMonths(firstOfMonth(day), 1), -1);
}

/** First day of the UK financial year (1 April to 31 March) that contains `day`. */
export function financialYearStart(day: LocalDate): LocalDate {
  const year = Number(day.slice(0, 4));
  const startYear = Number(day.slice(5, 7)) >= 4 ? year : year - 1;
  return `${startYear}-04-01`;
}

/** Financial year label as HMICFRS and the Home Office write it: `2021/22`. */
export function financialYearLabel(day: LocalDate): string {
  const startYear = Number(financialYearStart(day).slice(0, 4));
  return `${startYear}/${String((startYear + 1) % 100).padStart(2, '0')}`;
}

/** Every month (`YYYY-MM`) from the month of `from` to the month of `to`, inclusive. */
export function monthsBetween(from: LocalDate, to: LocalDate): string[] {
  const months: string[] = [];
  for (let cursor = firstOfMonth(from); cursor <= to; cursor = addMonths(cursor, 1)) months.push(monthOf(cursor));
  return months;
}

export const minDate = (a: LocalDate, b: LocalDate): LocalDate => (a < b ? a : b);
export const maxDate = (a: LocalDate, b: LocalDate): LocalDate => (a > b ? a : b);

/**
 * "More than `months` calendar months before the end of `asOf`": an instant on `day` is before
 * the end of `asOf` minus `months` months exactly when `day` is before (`asOf` + 1 day) minus
 * `months` months, because both ends are local midnights.
 */
export function isOlderThanMonthsAsAt(day: LocalDate, asOf: LocalDate, months: number): boolean {
  return day < addMonths(addDays(asOf, 1), -months);
}

/** Answers of `firstAsAtOlderThanMonths` by months and day: every circulation asks (issue 19). */
const firstAsAtByMonths = new Map<number, Map<LocalDate, LocalDate>>();

/**
 * The first as-at date on which something that started on `day` counts as older than `months`
 * months. `addMonths` clamps at month ends, so the answer is found by a short forward search
 * from a date a few days early rather than by inverting the clamp by hand.
 */
export function firstAsAtOlderThanMonths(day: LocalDate, months: number): LocalDate {
  let byDay = firstAsAtByMonths.get(months);
  if (byDay === undefined) firstAsAtByMonths.set(months, (byDay = new Map()));
  let candidate = byDay.get(day);
  if (candidate === undefined) {
    candidate = addDays(addMonths(day, months), -4);
    while (!isOlderThanMonthsAsAt(day, candidate, months)) candidate = addDays(candidate, 1);
    if (byDay.size >= MAX_REMEMBERED_DAYS) byDay.clear();
    byDay.set(day, candidate);
  }
  return candidate;
}
