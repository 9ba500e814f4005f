import {
  addMonths,
  financialYearLabel,
  financialYearStart,
  firstOfMonth,
  lastOfMonth,
  type LocalDate,
  monthsBetween,
} from '@rollcall/calendar';

/**
 * London-local periods of measures.md. Flow measures are published for the calendar month, the
 * rolling 12 months and the financial year, each up to the as-of date, and for custom ranges;
 * stock measures as at the end of the as-of day.
 */
export type PeriodKind = 'month' | 'rolling-12m' | 'financial-year' | 'as-at' | 'custom';

export interface Period {
  readonly kind: PeriodKind;
  /** Stable id within a snapshot: the kind, or `custom:<id>`. */
  readonly id: string;
  readonly label: string;
  /** First day, or null for as-at (all history up to `to`). */
  readonly from: LocalDate | null;
  /** Last day, inclusive (the end of this London day). */
  readonly to: LocalDate;
  /** True when the period ends before its natural end (a month or year to date): provisional. */
  readonly toDate: boolean;
}

export const FLOW_PERIOD_KINDS: readonly PeriodKind[] = ['month', 'rolling-12m', 'financial-year', 'custom'];

export function monthPeriod(asOf: LocalDate): Period {
  return {
    kind: 'month',
    id: 'month',
    label: `${asOf.slice(0, 7)} to ${asOf}`,
    from: firstOfMonth(asOf),
    to: asOf,
    toDate: asOf !== lastOfMonth(asOf),
  };
}

/** The 12 calendar months ending with the as-of month (that month up to the as-of day). */
export function rolling12MonthPeriod(asOf: LocalDate): Period {
  const from = firstOfMonth(addMonths(asOf, -11));
  return {
    kind: 'rolling-12m',
    id: 'rolling-12m',
    label: `12 months ${from.slice(0, 7)} to ${asOf}`,
    from,
    to: asOf,
    toDate: asOf !== lastOfMonth(asOf),
  };
}

export function financialYearPeriod(asOf: LocalDate): Period {
  const from = financialYearStart(asOf);
  const end = `${Number(from.slice(0, 4)) + 1}-03-31`;
  return {
    kind: 'financial-year',
    id: 'financial-year',
    label: `${financialYearLabel(asOf)} to ${asOf}`,
    from,
    to: asOf,
    toDate: asOf !== end,
  };
}

export function asAtPeriod(asOf: LocalDate): Period {
  return { kind: 'as-at', id: 'as-at', label: `as at end of ${asOf}`, from: null, to: asOf, toDate: false };
}

export function customPeriod(id: string, label: string, from: LocalDate, to: LocalDate): Period {
  if (to < from) throw new RangeError(`custom period ${id}: ${to} is before ${from}`);
  return { kind: 'custom', id: `custom:${id}`, label, from, to, toDate: false };
}

export function standardPeriods(asOf: LocalDate): Period[] {
  return [monthPeriod(asOf), rolling12MonthPeriod(asOf), financialYearPeriod(asOf), asAtPeriod(asOf)];
}

/**
 * The same period a year earlier: what a trend or a year-on-year change compares with. The
 * financial year a year earlier covers the same span of that year (April to the same day), so
 * that a year to date is compared with a year to the same date.
 */
export function yearEarlier(period: Period): Period {
  // A period ending on a month's last day compares with the whole month a year earlier: to
  // 28 February 2025 compares with to 29 February 2024, not to the 28th (one day short).
  const to = period.to === lastOfMonth(period.to) ? lastOfMonth(addMonths(period.to, -12)) : addMonths(period.to, -12);
  const from = period.from === null ? null : addMonths(period.from, -12);
  return { ...period, id: `${period.id}:year-earlier`, label: `${period.label} (a year earlier)`, from, to };
}

/** `YYYY-MM` months a period touches; none for as-at. */
export function monthsOfPeriod(period: Period): string[] {
  return period.from === null ? [] : monthsBetween(period.from, period.to);
}
