import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  daysBetween,
  financialYearLabel,
  financialYearStart,
  firstAsAtOlderThanMonths,
  isLocalDate,
  isOlderThanMonthsAsAt,
  lastOfMonth,
  monthsBetween,
} from './local-date.ts';

describe('local dates', () => {
  it('validates real calendar dates only', () => {
    expect(isLocalDate('2024-02-29')).toBe(true);
    expect(isLocalDate('2023-02-29')).toBe(false);
    expect(isLocalDate('2023-2-1')).toBe(false);
  });

  it('adds days and months with the end-of-month clamp', () => {
    expect(addDays('2022-03-31', 1)).toBe('2022-04-01');
    expect(addMonths('2022-08-31', -6)).toBe('2022-02-28');
    expect(addMonths('2024-08-31', -6)).toBe('2024-02-29');
    expect(addMonths('2022-01-15', -13)).toBe('2020-12-15');
    expect(addMonths('2022-11-30', 3)).toBe('2023-02-28');
    expect(daysBetween('2022-01-01', '2022-03-01')).toBe(59);
    expect(lastOfMonth('2024-02-10')).toBe('2024-02-29');
  });

  it('knows financial years', () => {
    expect(financialYearStart('2019-03-31')).toBe('2018-04-01');
    expect(financialYearStart('2019-04-01')).toBe('2019-04-01');
    expect(financialYearLabel('2022-03-31')).toBe('2021/22');
    expect(financialYearLabel('1999-04-01')).toBe('1999/00');
  });

  it('lists months', () => {
    expect(monthsBetween('2021-11-15', '2022-02-01')).toEqual(['2021-11', '2021-12', '2022-01', '2022-02']);
  });
});

describe('older than N months, as at the end of a day', () => {
  it('follows the instant rule: circulated strictly before end of asOf minus 6 months', () => {
    // End of 1 March 2022 is 2 March 00:00; minus 6 months is 2 September 2021 00:00.
    expect(isOlderThanMonthsAsAt('2021-09-01', '2022-03-01', 6)).toBe(true);
    expect(isOlderThanMonthsAsAt('2021-09-02', '2022-03-01', 6)).toBe(false);
  });

  it('finds the first as-at date a start date becomes old, including month-end clamps', () => {
    for (const day of ['2021-09-01', '2021-08-31', '2021-08-29', '2022-02-28', '2023-08-30', '2023-12-31']) {
      const first = firstAsAtOlderThanMonths(day, 6);
      expect(isOlderThanMonthsAsAt(day, first, 6)).toBe(true);
      expect(isOlderThanMonthsAsAt(day, addDays(first, -1), 6)).toBe(false);
    }
    expect(firstAsAtOlderThanMonths('2021-09-01', 6)).toBe('2022-03-01');
  });
});
