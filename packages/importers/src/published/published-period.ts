import { addMonths, isLocalDate, type LocalDate } from '@rollcall/calendar';

const MONTH_NAMES = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** 0 to 11 for a month's full name, its three-letter abbreviation, or `sept`; -1 otherwise. */
const monthIndex = (word: string): number => {
  const lower = word.toLowerCase();
  return MONTH_NAMES.findIndex(
    (name) => name === lower || name.slice(0, 3) === lower || (lower === 'sept' && name === 'september'),
  );
};

/** The first and last day of a calendar month `YYYY-MM`. */
export function monthSpan(month: string): { readonly from: LocalDate; readonly to: LocalDate } {
  const from = `${month}-01`;
  const next = addMonths(from, 1);
  const last = new Date(`${next}T00:00:00Z`);
  last.setUTCDate(0);
  return { from, to: last.toISOString().slice(0, 10) };
}

/**
 * A month as publishers print it: `2024-03`, `2024-03-01`, `03/2024`, `Mar-24`, `March 2024`,
 * `Mar 2024`. Undefined when it is none of these.
 */
export function parsePublishedMonth(text: string): string | undefined {
  const value = text.trim();
  // No group of these patterns is optional, so a match captures every one: the '' defaults below
  // are never used.
  let match = /^(\d{4})-(\d{2})(?:-01)?$/.exec(value);
  if (match) {
    const [, year = '', month = ''] = match;
    return Number(month) >= 1 && Number(month) <= 12 ? `${year}-${month}` : undefined;
  }
  match = /^(\d{1,2})\/(\d{4})$/.exec(value);
  if (match) {
    const [, month = '', year = ''] = match;
    return Number(month) >= 1 && Number(month) <= 12 ? `${year}-${month.padStart(2, '0')}` : undefined;
  }
  match = /^([A-Za-z]{3,9})[\s-]+(\d{2}|\d{4})$/.exec(value);
  if (match) {
    const [, monthName = '', yearDigits = ''] = match;
    const month = monthIndex(monthName);
    if (month < 0) return undefined;
    const year = yearDigits.length === 2 ? `20${yearDigits}` : yearDigits;
    return `${year}-${String(month + 1).padStart(2, '0')}`;
  }
  return undefined;
}

/** A period given as its first and last day (both `YYYY-MM-DD`, first ≤ last). */
export function parsePeriodDays(
  from: string,
  to: string,
): { readonly from: LocalDate; readonly to: LocalDate } | undefined {
  return isLocalDate(from) && isLocalDate(to) && from <= to ? { from, to } : undefined;
}
