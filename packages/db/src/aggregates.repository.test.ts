import { createTestDatabase, type TestDatabase } from '@rollcall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AggregateDelta, addToAggregates, readDailyAggregates, readMonthlyAggregates, replaceDailyAggregates, sumAggregatesByMonth } from './aggregates.repository.ts';

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => {
  await test.destroy();
});

const delta = (day: string, value: number, metric = 'calls.presented', dim = '999', forceId = 'avon-and-somerset'): AggregateDelta => ({ forceId, day, metric, dim, value });

/** The daily rows summed by month, as the monthly table must hold them. */
const monthlyOfDaily = (rows: readonly AggregateDelta[]) => {
  const sums = new Map<string, AggregateDelta>();
  for (const row of rows) {
    const month = `${row.day.slice(0, 7)}-01`;
    const key = `${row.forceId}|${month}|${row.metric}|${row.dim}`;
    sums.set(key, { ...row, day: month, value: (sums.get(key)?.value ?? 0) + row.value });
  }
  return [...sums.values()].filter((row) => row.value !== 0).sort((a, b) => (`${a.forceId}${a.day}${a.metric}${a.dim}` < `${b.forceId}${b.day}${b.metric}${b.dim}` ? -1 : 1));
};

describe('daily and monthly aggregates', () => {
  it('keep the monthly sums equal to the daily rows, through additions and subtractions', async () => {
    await addToAggregates(test.db, [delta('2023-03-10', 4), delta('2023-03-31', 2), delta('2024-03-15', 7), delta('2024-03-20', 1)]);
    await addToAggregates(test.db, [delta('2023-03-31', -2), delta('2024-02-29', 3), delta('2024-03-20', 5, 'calls.presented', '101')]);
    expect(await readMonthlyAggregates(test.db)).toEqual(monthlyOfDaily(await readDailyAggregates(test.db)));
  });

  it('sums whole months from the monthly table and splits the as-of month and its year-earlier twin at the day', async () => {
    const sums = await sumAggregatesByMonth(test.db, { forceIds: null, to: '2024-03-15', splits: [{ month: '2023-03', day: 15 }] });
    const of = (month: string, early: boolean) =>
      sums.filter((s) => s.month === month && s.upToSplitDay === early && s.dim === '999').reduce((total, s) => total + s.value, 0);
    expect(of('2023-03', true)).toBe(4); // 10 March 2023, up to the 15th
    expect(of('2023-03', false)).toBe(0); // 31 March 2023 was added and taken away again
    expect(of('2024-02', true)).toBe(3); // a whole month
    expect(of('2024-03', true)).toBe(7); // 15 March 2024 is the as-of day
    expect(sums.some((s) => s.month === '2024-03' && !s.upToSplitDay)).toBe(false); // nothing after the as-of day
  });

  it('splits each month at its own day: a year before 28 February 2025 is the whole of February 2024', async () => {
    const sums = await sumAggregatesByMonth(test.db, { forceIds: null, to: '2025-02-28', splits: [{ month: '2024-02', day: 29 }] });
    const february2024 = sums.filter((s) => s.month === '2024-02' && s.dim === '999');
    expect(february2024).toEqual([expect.objectContaining({ upToSplitDay: true, value: 3 })]); // the 29th included
  });

  it('recomputes the monthly sums of the months a replaced range touches', async () => {
    await replaceDailyAggregates(test.db, { from: '2024-03-01', to: '2024-03-31' }, [delta('2024-03-01', 9)]);
    expect(await readMonthlyAggregates(test.db)).toEqual(monthlyOfDaily(await readDailyAggregates(test.db)));
    const march = (await readMonthlyAggregates(test.db)).filter((row) => row.day === '2024-03-01');
    expect(march).toEqual([delta('2024-03-01', 9)]);
  });
});
