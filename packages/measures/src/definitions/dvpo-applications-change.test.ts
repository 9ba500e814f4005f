import { describe, expect, it } from 'vitest';
import { METRIC } from '@rollcall/contract';
import { dvpoApplicationsChange } from './dvpo-applications-change.ts';
import { type DailyRow, measureInputOf, row } from './measure-input-of.ts';
import { entryOf, snapshotEntriesOf } from './snapshot-entries-of.ts';

const applied = (day: string, n: number): DailyRow => ({ day, ...row(METRIC.dvpoApplied, '', n) });

describe('dvpo.applications_change', () => {
  it('reproduces 284 → 258: a fall of 26, 9.2%', () => {
    const [result] = dvpoApplicationsChange.compute(
      measureInputOf({
        aggregates: [row(METRIC.dvpoApplied, '', 258)],
        yearEarlier: [row(METRIC.dvpoApplied, '', 284)],
      }),
    );
    expect(result).toMatchObject({
      numerator: 258,
      denominator: 284,
      extra: { thisYear: 258, previousYear: 284, change: -26 },
    });
    expect(result!.value).toBeCloseTo(-9.154929577, 9);
    expect(result!.cells).toEqual({ 'dvpo.applied': 258, 'dvpo.applied.year_earlier': 284 });
  });

  it('compares whole financial years at 31 March, 1 April and 31 March being each side of the boundary', () => {
    const daily = [
      applied('2020-03-31', 50),
      applied('2020-04-01', 200),
      applied('2021-03-31', 84),
      applied('2021-04-01', 158),
      applied('2022-03-31', 100),
      applied('2022-04-01', 9),
    ];
    const entries = snapshotEntriesOf([dvpoApplicationsChange], { asOf: '2022-03-31', daily });
    expect(entryOf(entries, 'dvpo.applications_change', 'financial-year')).toMatchObject({
      numerator: 258,
      denominator: 284,
      flags: [],
    });
    expect(entries.map((e) => e.period.id)).toEqual(['financial-year']);
  });

  it('compares a year to date with the same span of the previous year', () => {
    const daily = [applied('2020-06-30', 40), applied('2020-07-01', 60), applied('2021-06-30', 50)];
    // The feed has data in every month from April 2020 (the previous year to date must be complete).
    const monthsWithData = [
      '2020-04',
      '2020-05',
      '2020-06',
      '2020-07',
      '2020-08',
      '2020-09',
      '2020-10',
      '2020-11',
      '2020-12',
      '2021-01',
      '2021-02',
      '2021-03',
      '2021-04',
      '2021-05',
      '2021-06',
    ];
    const entry = entryOf(
      snapshotEntriesOf([dvpoApplicationsChange], { asOf: '2021-06-30', daily, monthsWithData }),
      'dvpo.applications_change',
      'financial-year',
    );
    expect(entry).toMatchObject({ value: 25, numerator: 50, denominator: 40, flags: ['[p]'] });
  });

  it('is not available when the previous year has a month without data, rather than a change against part of a year', () => {
    const daily = [applied('2020-04-01', 200), applied('2021-04-01', 158), applied('2022-03-31', 100)];
    // Every month of 2021/22 has dvpo data; 2020/21 lacks August.
    const months = [
      '2020-04',
      '2020-05',
      '2020-06',
      '2020-07',
      '2020-09',
      '2020-10',
      '2020-11',
      '2020-12',
      '2021-01',
      '2021-02',
      '2021-03',
      '2021-04',
      '2021-05',
      '2021-06',
      '2021-07',
      '2021-08',
      '2021-09',
      '2021-10',
      '2021-11',
      '2021-12',
      '2022-01',
      '2022-02',
      '2022-03',
    ];
    const entry = entryOf(
      snapshotEntriesOf([dvpoApplicationsChange], { asOf: '2022-03-31', daily, monthsWithData: months }),
      'dvpo.applications_change',
      'financial-year',
    );
    expect(entry).toMatchObject({ value: null, numerator: null, flags: ['[x]'], missingMonths: ['2020-08'] });
  });

  it('has no value when the previous year had no applications', () => {
    expect(
      dvpoApplicationsChange.compute(measureInputOf({ aggregates: [row(METRIC.dvpoApplied, '', 10)] }))[0],
    ).toMatchObject({ value: null, numerator: 10, denominator: 0 });
  });
});
