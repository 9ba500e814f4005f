import { addDays } from '@rollcall/calendar';
import { describe, expect, it } from 'vitest';
import { METRIC } from '@rollcall/contract';
import { type DailyRow, measureInputOf, row } from './measure-input-of.ts';
import { entryOf, snapshotEntriesOf } from './snapshot-entries-of.ts';
import { wantedOnPncOver6Months, wantedOpenRows } from './wanted-on-pnc-over-6-months.ts';

describe('wanted.on_pnc_over_6_months', () => {
  it('reproduces 69% of 2,542 open circulations as at 1 March 2022', () => {
    const aggregates = [
      ...wantedOpenRows({ 'North|high|-': 472, 'South|medium|-': 2_070 }),
      row(METRIC.wantedOpenOver6Months, '', 1_754),
    ];
    const [result] = wantedOnPncOver6Months.compute(measureInputOf({ aggregates }));
    expect(result).toMatchObject({
      numerator: 1_754,
      denominator: 2_542,
      cells: { 'wanted.open.over_6_months': 1_754, 'wanted.open': 2_542 },
    });
    expect(result!.value!.toFixed(1)).toBe('69.0');
  });

  it('reads the stocks as at a day from the changes up to it (the end of a month, a circulation closed on it)', () => {
    // One circulation opened on 31 August 2021, old enough from 1 March 2022; one opened on 2 September 2021, closed on
    // 1 March 2022.
    const daily: DailyRow[] = [
      { day: '2021-08-31', ...row(METRIC.wantedOpen, 'North|low|-', 1) },
      { day: '2022-03-01', ...row(METRIC.wantedOpenOver6Months, '', 1) },
      { day: '2021-09-02', ...row(METRIC.wantedOpen, 'North|low|-', 1) },
      { day: '2022-03-01', ...row(METRIC.wantedOpen, 'North|low|-', -1) },
    ];
    const asAt = (day: string) =>
      entryOf(
        snapshotEntriesOf([wantedOnPncOver6Months], { asOf: day, daily }),
        'wanted.on_pnc_over_6_months',
        'as-at',
      );
    expect(asAt('2022-02-28')).toMatchObject({ value: 0, numerator: 0, denominator: 2 });
    expect(asAt('2022-03-01')).toMatchObject({ value: 100, numerator: 1, denominator: 1 });
    expect(asAt(addDays('2021-09-02', -1))).toMatchObject({ value: 0, numerator: 0, denominator: 1, flags: [] });
  });
});
