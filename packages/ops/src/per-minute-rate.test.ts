import type { Metrics } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { finishedPerMinute, throughputOf } from './per-minute-rate.ts';

const MINUTE = 60_000;
// 2026-11-22 10:07:25 UTC; its minute starts at 10:07:00.
const now = Date.UTC(2026, 10, 22, 10, 7, 25);
const minuteStart = (minutesBefore: number): number => Math.floor(now / MINUTE) * MINUTE - minutesBefore * MINUTE;

const metrics = (meta: Metrics['meta'], data: number[]): Metrics => ({ meta, data, count: data.length });

describe('finishedPerMinute', () => {
  it('is all zeros before any job finished', () => {
    expect(finishedPerMinute(metrics({ count: 0, prevTS: 0, prevCount: 0 }, []), now, 3)).toEqual([0, 0, 0]);
  });

  it('puts the jobs not yet pushed in the minute of prevTS and the list in the minutes before it', () => {
    // Latest push at 10:06:10 (a minute ago): 4 jobs finished since, then 7 at 10:05, 0 at 10:04, 2 at 10:03.
    const m = metrics({ count: 30, prevTS: minuteStart(1) + 10_000, prevCount: 26 }, [7, 0, 2]);
    expect(finishedPerMinute(m, now, 5)).toEqual([4, 7, 0, 2, 0]);
  });

  it('counts nothing in the minutes after the last finish, and nothing of the current minute', () => {
    // Last finish at 10:03:30: 10:04, 10:05 and 10:06 saw none; the pending 5 belong to 10:03.
    const m = metrics({ count: 12, prevTS: minuteStart(4) + 30_000, prevCount: 7 }, [1]);
    expect(finishedPerMinute(m, now, 6)).toEqual([0, 0, 0, 5, 1, 0]);
    // Jobs finishing in the current minute (10:07) are not counted until the minute is complete.
    const current = metrics({ count: 3, prevTS: minuteStart(0) + 1_000, prevCount: 0 }, [9]);
    expect(finishedPerMinute(current, now, 2)).toEqual([9, 0]);
  });
});

describe('throughputOf', () => {
  it('reports the last complete minute and the mean of the last 15', () => {
    const m = metrics(
      { count: 100, prevTS: minuteStart(1) + 5_000, prevCount: 94 },
      [10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 10, 99],
    );
    // 6 + 14 x 10 over 15 minutes; the 99 is 16 minutes back, outside the window.
    expect(throughputOf(m, now)).toEqual({ lastMinute: 6, mean15m: (6 + 140) / 15 });
  });
});
