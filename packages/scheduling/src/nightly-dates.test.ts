import { addDays } from '@rollcall/calendar';
import { describe, expect, it } from 'vitest';
import { nightlyDates, nightlyWindow } from './nightly-dates.ts';
import { nextNightlyFires } from './nightly-scheduler.ts';

const LONDON = 'Europe/London';
const at = (iso: string): number => Date.parse(iso);
const plan = (now: string, latestSucceeded: string | null, catchUpDays = 7, firstRecorded: string | null = null) =>
  nightlyDates({ now: at(now), timeZone: LONDON, latestSucceeded, firstRecorded, catchUpDays });

describe('nightlyDates', () => {
  it('runs yesterday alone on an empty ledger', () => {
    expect(plan('2022-06-14T02:30:00Z', null)).toEqual({ dates: ['2022-06-13'], skipped: [] });
  });

  it('runs nothing when yesterday already succeeded (a second fire the same night)', () => {
    expect(plan('2022-06-14T02:30:00Z', '2022-06-13')).toEqual({ dates: [], skipped: [] });
    expect(plan('2022-06-14T02:30:00Z', '2022-06-20')).toEqual({ dates: [], skipped: [] });
  });

  it('catches up missed dates oldest first', () => {
    expect(plan('2022-06-14T02:30:00Z', '2022-06-10').dates).toEqual(['2022-06-11', '2022-06-12', '2022-06-13']);
  });

  it('runs the newest catchUpDays dates and returns the older ones as skipped', () => {
    expect(plan('2022-06-12T02:30:00Z', '2022-06-01', 7)).toEqual({
      dates: ['2022-06-05', '2022-06-06', '2022-06-07', '2022-06-08', '2022-06-09', '2022-06-10', '2022-06-11'],
      skipped: ['2022-06-02', '2022-06-03', '2022-06-04'],
    });
    expect(plan('2022-06-12T02:30:00Z', '2022-06-08', 1)).toEqual({
      dates: ['2022-06-11'],
      skipped: ['2022-06-09', '2022-06-10'],
    });
  });

  it('starts from the first recorded date while nothing has succeeded (a first run that failed)', () => {
    expect(plan('2022-06-14T02:30:00Z', null, 7, '2022-06-12').dates).toEqual(['2022-06-12', '2022-06-13']);
  });

  describe('with the ledger of the window', () => {
    const now = at('2022-06-14T02:30:00Z'); // window: 7th to 13th June
    const runs = (
      input: { latestSucceeded: string | null; firstRecorded: string; succeeded?: string[]; unfinished?: string[] },
      catchUpDays = 7,
    ) => nightlyDates({ now, timeZone: LONDON, catchUpDays, ...input });

    it('runs a date that failed again although a later date succeeded', () => {
      expect(
        runs({
          latestSucceeded: '2022-06-13',
          firstRecorded: '2022-06-01',
          succeeded: ['2022-06-07', '2022-06-08', '2022-06-09', '2022-06-11', '2022-06-13'],
        }),
      ).toEqual({
        dates: ['2022-06-10', '2022-06-12'],
        skipped: [],
      });
    });

    it('runs skipped dates inside a raised limit, and never dates before the ledger starts', () => {
      const succeeded = [
        '2022-06-03',
        '2022-06-07',
        '2022-06-08',
        '2022-06-09',
        '2022-06-10',
        '2022-06-11',
        '2022-06-12',
        '2022-06-13',
      ];
      expect(runs({ latestSucceeded: '2022-06-13', firstRecorded: '2022-06-03', succeeded }, 30)).toEqual({
        dates: ['2022-06-04', '2022-06-05', '2022-06-06'],
        skipped: [],
      });
    });

    it('skips failed or orphaned dates that fell out of the window, once', () => {
      expect(
        runs({
          latestSucceeded: '2022-06-13',
          firstRecorded: '2022-06-01',
          succeeded: ['2022-06-07', '2022-06-08', '2022-06-09', '2022-06-10', '2022-06-11', '2022-06-12', '2022-06-13'],
          unfinished: ['2022-06-02', '2022-06-05'],
        }),
      ).toEqual({
        dates: [],
        skipped: ['2022-06-02', '2022-06-05'],
      });
    });
  });

  it('computes the window as the last catchUpDays finished days on the reporting calendar', () => {
    expect(nightlyWindow({ now: at('2022-06-14T02:30:00Z'), timeZone: LONDON, catchUpDays: 7 })).toEqual({
      first: '2022-06-07',
      last: '2022-06-13',
    });
    expect(nightlyWindow({ now: at('2022-03-27T23:30:00Z'), timeZone: LONDON, catchUpDays: 1 })).toEqual({
      first: '2022-03-27',
      last: '2022-03-27',
    });
  });

  it('rejects a catch-up limit below one day', () => {
    expect(() => plan('2022-06-14T02:30:00Z', null, 0)).toThrow(RangeError);
    expect(() => plan('2022-06-14T02:30:00Z', null, 1.5)).toThrow(RangeError);
  });

  describe('across the DST changes', () => {
    it('publishes the previous London day at 03:30 on the spring-forward day (2022-03-27, 23 hours)', () => {
      // 03:30 BST is 02:30 UTC; the clocks went from 01:00 GMT to 02:00 BST an hour and a half earlier.
      expect(plan('2022-03-27T02:30:00Z', '2022-03-25')).toEqual({ dates: ['2022-03-26'], skipped: [] });
    });

    it('publishes the previous London day at 03:30 on the autumn-back day (2022-10-30, 25 hours)', () => {
      // 03:30 GMT is 03:30 UTC; at 02:00 BST the clocks went back to 01:00 GMT.
      expect(plan('2022-10-30T03:30:00Z', '2022-10-28')).toEqual({ dates: ['2022-10-29'], skipped: [] });
    });

    it('reads the day on the London calendar, not in UTC, just after local midnight', () => {
      // 00:30 BST on 2022-03-28 is still 2022-03-27 in UTC: the finished day is the 27th, not the 26th.
      expect(plan('2022-03-27T23:30:00Z', '2022-03-26')).toEqual({ dates: ['2022-03-27'], skipped: [] });
      expect(plan('2022-10-29T23:30:00Z', '2022-10-28')).toEqual({ dates: ['2022-10-29'], skipped: [] });
    });

    it('treats both 01:30s of the repeated autumn hour as the same day', () => {
      expect(plan('2022-10-30T00:30:00Z', '2022-10-28').dates).toEqual(['2022-10-29']); // 01:30 BST
      expect(plan('2022-10-30T01:30:00Z', '2022-10-28').dates).toEqual(['2022-10-29']); // 01:30 GMT
    });

    it('gives every date exactly once to the scheduler fires around both changes', () => {
      // 30 1 * * * fires inside the hour the clocks skip or repeat; the ledger keeps it right too.
      for (const cron of ['30 3 * * *', '30 1 * * *']) {
        for (const from of ['2022-03-23T12:00:00Z', '2022-10-26T12:00:00Z']) {
          // Each fire as BullMQ computes it, each run succeeding: the published dates must be consecutive.
          let latest = addDays(from.slice(0, 10), -1);
          const published: string[] = [];
          for (const fire of nextNightlyFires(at(from), 8, { cron, timeZone: LONDON })) {
            const { dates, skipped } = nightlyDates({
              now: fire,
              timeZone: LONDON,
              latestSucceeded: latest,
              catchUpDays: 7,
            });
            expect(skipped).toEqual([]);
            published.push(...dates);
            latest = dates.at(-1) ?? latest;
          }
          expect(published, `${cron} from ${from}`).toEqual(
            Array.from({ length: 8 }, (_, i) => addDays(from.slice(0, 10), i)),
          );
        }
      }
    });
  });
});
