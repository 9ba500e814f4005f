import { createTestDatabase, type TestDatabase } from '../test/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AggregateDelta } from './aggregate-keys.ts';
import {
  addToAggregates,
  readDailyAggregates,
  readMonthlyAggregates,
  replaceDailyAggregates,
  sumAggregatesOverWindows,
} from './aggregates.repository.ts';

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => {
  await test.destroy();
});

const delta = (
  day: string,
  value: number,
  metric = 'calls.presented',
  dim = '999',
  forceId = 'avon-and-somerset',
): AggregateDelta => ({ forceId, day, metric, dim, value });

/** The daily rows summed by month, as the monthly table must hold them. */
const monthlyOfDaily = (rows: readonly AggregateDelta[]) => {
  const sums = new Map<string, AggregateDelta>();
  for (const row of rows) {
    const month = `${row.day.slice(0, 7)}-01`;
    const key = `${row.forceId}|${month}|${row.metric}|${row.dim}`;
    sums.set(key, { ...row, day: month, value: (sums.get(key)?.value ?? 0) + row.value });
  }
  return [...sums.values()]
    .filter((row) => row.value !== 0)
    .sort((a, b) => (`${a.forceId}${a.day}${a.metric}${a.dim}` < `${b.forceId}${b.day}${b.metric}${b.dim}` ? -1 : 1));
};

describe('daily and monthly aggregates', () => {
  it('keep the monthly sums equal to the daily rows, through additions and subtractions', async () => {
    await addToAggregates(test.db, [
      delta('2023-03-10', 4),
      delta('2023-03-31', 2),
      delta('2024-03-15', 7),
      delta('2024-03-20', 1),
    ]);
    await addToAggregates(test.db, [
      delta('2023-03-31', -2),
      delta('2024-02-29', 3),
      delta('2024-03-20', 5, 'calls.presented', '101'),
    ]);
    expect(await readMonthlyAggregates(test.db)).toEqual(monthlyOfDaily(await readDailyAggregates(test.db)));
  });

  it('sums each window from whole months and the days of partial months, leaving out zero sums', async () => {
    const sums = await sumAggregatesOverWindows(test.db, {
      forceIds: ['avon-and-somerset', 'kent'],
      windows: [
        { id: 'to 15 March 2024', from: '2024-03-01', to: '2024-03-15' },
        { id: 'March 2023', from: '2023-03-01', to: '2023-03-31' },
        { id: 'to 15 March 2023', from: '2023-03-01', to: '2023-03-15' },
        { id: 'all to 15 March 2024', from: null, to: '2024-03-15' },
        { id: '11 to 20 March 2024', from: '2024-03-11', to: '2024-03-20' },
        { id: 'February to mid-March 2024', from: '2024-02-01', to: '2024-03-19' },
      ],
    });
    const of = (id: string, dim = '999') => sums.filter((s) => s.windowId === id && s.dim === dim).map((s) => s.value);
    expect(of('to 15 March 2024')).toEqual([7]); // the 20th is after the window
    expect(of('March 2023')).toEqual([4]); // a whole month: 10 March, and 31 March added and taken away again
    expect(of('to 15 March 2023')).toEqual([4]);
    expect(of('all to 15 March 2024')).toEqual([4 + 3 + 7]);
    expect(of('11 to 20 March 2024')).toEqual([7 + 1]);
    expect(of('11 to 20 March 2024', '101')).toEqual([5]);
    expect(of('February to mid-March 2024')).toEqual([3 + 7]);
  });

  it('reads only the metrics a window asks for, and only the forces named', async () => {
    await addToAggregates(test.db, [
      delta('2024-01-05', 2, 'wanted.open', 'North|high|-'),
      delta('2024-01-05', 6, 'calls.presented', '999', 'kent'),
    ]);
    const sums = await sumAggregatesOverWindows(test.db, {
      forceIds: ['avon-and-somerset'],
      windows: [{ id: 'stock', from: null, to: '2024-12-31', metrics: ['wanted.open'] }],
    });
    expect(sums).toEqual([
      { windowId: 'stock', forceId: 'avon-and-somerset', metric: 'wanted.open', dim: 'North|high|-', value: 2 },
    ]);
  });

  it('recomputes the monthly sums of the months a replaced range touches', async () => {
    await replaceDailyAggregates(test.db, { from: '2024-03-01', to: '2024-03-31' }, [delta('2024-03-01', 9)]);
    expect(await readMonthlyAggregates(test.db)).toEqual(monthlyOfDaily(await readDailyAggregates(test.db)));
    const march = (await readMonthlyAggregates(test.db)).filter((row) => row.day === '2024-03-01');
    expect(march).toEqual([delta('2024-03-01', 9)]);
  });

  it('sums a month from the replaced days and the stored days outside the range alike', async () => {
    await replaceDailyAggregates(test.db, { from: '2024-03-01', to: '2024-03-31' }, [
      delta('2024-03-02', 5),
      delta('2024-03-12', 7),
      delta('2024-03-28', 11),
    ]);
    await replaceDailyAggregates(test.db, { from: '2024-03-10', to: '2024-03-20' }, [delta('2024-03-15', 2)]);
    const march = (await readMonthlyAggregates(test.db)).filter((row) => row.day === '2024-03-01');
    expect(march).toEqual([delta('2024-03-01', 5 + 2 + 11)]);
    expect(await readMonthlyAggregates(test.db)).toEqual(monthlyOfDaily(await readDailyAggregates(test.db)));
  });

  it('writes only what differs, yet leaves no row of 0 and repairs monthly sums that drifted alone', async () => {
    const wanted = [delta('2024-05-02', 4), delta('2024-05-03', 6, 'calls.answered'), delta('2024-05-04', 1)];
    await replaceDailyAggregates(test.db, { from: '2024-05-01', to: '2024-05-31' }, wanted);
    // Live processing may leave a row of 0 (deltas that cancel); a monthly sum may drift by itself.
    await test.db
      .insertInto('daily_aggregates')
      .values({ force_id: 'avon-and-somerset', day: '2024-05-09', metric: 'calls.presented', dim: '101', value: 0 })
      .execute();
    await test.db.updateTable('monthly_aggregates').set({ value: 99 }).where('month', '=', '2024-05-01').execute();
    await replaceDailyAggregates(test.db, { from: '2024-05-01', to: '2024-05-31' }, wanted);
    const may = await test.db
      .selectFrom('daily_aggregates')
      .select(['day', 'value'])
      .where('day', '>=', '2024-05-01')
      .where('day', '<=', '2024-05-31')
      .orderBy('day')
      .execute();
    expect(may).toEqual([
      { day: '2024-05-02', value: 4 },
      { day: '2024-05-03', value: 6 },
      { day: '2024-05-04', value: 1 },
    ]);
    expect(await readMonthlyAggregates(test.db)).toEqual(monthlyOfDaily(await readDailyAggregates(test.db)));
  });
});
