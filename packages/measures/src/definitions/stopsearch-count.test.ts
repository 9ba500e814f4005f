import { describe, expect, it } from 'vitest';
import { METRIC } from '@rollcall/contract';
import { type DailyRow, row } from './measure-input-of.ts';
import { entryOf, snapshotEntriesOf } from './snapshot-entries-of.ts';
import { stopsearchCount } from './stopsearch-count.ts';

describe('stopsearch.count', () => {
  const day = (d: string, type: string, n: number): DailyRow => ({ day: d, ...row(METRIC.searches, type, n) });
  // 2021 as a rolling 12 months at 31 December; 1 January 2021 is in, 31 December 2020 is out.
  const daily = [
    day('2020-12-31', 'Person search', 9),
    day('2021-01-01', 'Person search', 100),
    day('2021-06-30', 'Vehicle search', 20),
    day('2021-12-31', 'Person and Vehicle search', 5),
  ];
  const entries = snapshotEntriesOf([stopsearchCount], { asOf: '2021-12-31', daily });

  it('counts searches of every type recorded in the period', () => {
    expect(entryOf(entries, 'stopsearch.count', 'rolling-12m')).toMatchObject({
      value: 125,
      numerator: 125,
      denominator: null,
      cells: { 'stopsearch.searches': 125 },
    });
    expect(entryOf(entries, 'stopsearch.count', 'month')).toMatchObject({ value: 5 });
  });

  it('compares the rolling 12 months with the 12 months before: 120 against 125 is stable', () => {
    expect(entryOf(entries, 'stopsearch.count', 'rolling-12m').trend).toBeNull();
    const later = snapshotEntriesOf([stopsearchCount], {
      asOf: '2022-12-31',
      daily: [...daily, day('2022-03-01', 'Person search', 120)],
    });
    expect(entryOf(later, 'stopsearch.count', 'rolling-12m').trend).toMatchObject({
      label: 'Stable',
      changePercent: -4,
    });
  });

  it('is not available ([x]) for a period with a month without data', () => {
    const gappy = snapshotEntriesOf([stopsearchCount], {
      asOf: '2021-12-31',
      daily,
      monthsWithData: ['2021-01', '2021-06', '2021-12'],
    });
    expect(entryOf(gappy, 'stopsearch.count', 'rolling-12m')).toMatchObject({ value: null, flags: ['[x]'] });
    expect(entryOf(gappy, 'stopsearch.count', 'month')).toMatchObject({ value: 5, flags: [] });
  });
});
