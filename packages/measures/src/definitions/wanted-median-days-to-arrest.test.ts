import { describe, expect, it } from 'vitest';
import { METRIC } from '@rollcall/contract';
import { measureInputOf, row } from './measure-input-of.ts';
import { wantedMedianDaysToArrest } from './wanted-median-days-to-arrest.ts';
import { wantedOpenRows } from './wanted-on-pnc-over-6-months.ts';

const arrests = (team: string, days: readonly number[]) =>
  days.map((d) => row(METRIC.wantedDaysToArrest, `${team}|${d}`, 1));

describe('wanted.median_days_to_arrest', () => {
  const input = measureInputOf({
    aggregates: [
      ...arrests('North', [10, 41, 41, 300]),
      ...arrests('South', [120, 156, 192]),
      row(METRIC.wantedDaysToArrest, 'South|156', 2),
    ],
    asAtEnd: wantedOpenRows({
      'North|high|-': 10,
      'North|low|-': 30,
      'South|medium|-': 25,
      'East|low|-': 7,
      'Gone|low|-': 0,
    }),
  });
  const results = wantedMedianDaysToArrest.compute(input);

  it('gives the median overall with the circulations still open as at the end of the period', () => {
    // 10, 41, 41, 120, 156, 156, 156, 192, 300: the 5th of 9.
    expect(results[0]).toEqual({
      value: 156,
      numerator: null,
      denominator: 9,
      cells: { 'wanted.arrested': 9, 'wanted.open': 72 },
      extra: { openAtPeriodEnd: 72 },
    });
  });

  it('gives it per team (the mean of the middle two for an even count), ranging from 41 to 156 days', () => {
    expect(results.slice(1).map((r) => [r.breakdown?.team, r.value, r.denominator, r.extra?.openAtPeriodEnd])).toEqual([
      ['East', null, 0, 7],
      ['North', 41, 4, 40],
      ['South', 156, 5, 25],
    ]);
  });

  it('has per-team cells that add up to the headline ones', () => {
    const parts = results.slice(1).flatMap((r) => Object.entries(r.cells));
    expect(parts.filter(([id]) => id.startsWith('wanted.arrested.team.')).reduce((s, [, n]) => s + n, 0)).toBe(9);
    expect(parts.filter(([id]) => id.startsWith('wanted.open.team.')).reduce((s, [, n]) => s + n, 0)).toBe(72);
  });

  it('counts an arrest on the day of circulation as 0 days, and has no median without arrests', () => {
    expect(wantedMedianDaysToArrest.compute(measureInputOf({ aggregates: arrests('North', [0]) }))[0]).toMatchObject({
      value: 0,
      denominator: 1,
    });
    expect(wantedMedianDaysToArrest.compute(measureInputOf())).toEqual([
      {
        value: null,
        numerator: null,
        denominator: 0,
        cells: { 'wanted.arrested': 0, 'wanted.open': 0 },
        extra: { openAtPeriodEnd: 0 },
      },
    ]);
  });
});
