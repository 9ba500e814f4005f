import { describe, expect, it } from 'vitest';
import { METRIC } from '@rollcall/contract';
import { calls101MedianWaitSeconds } from './calls-101-median-wait-seconds.ts';
import { measureInputOf, row } from './measure-input-of.ts';

const waits = (bins: Readonly<Record<number, number>>) => [
  row(
    METRIC.calls101Answered,
    '',
    Object.values(bins).reduce((sum, n) => sum + n, 0),
  ),
  ...Object.entries(bins).map(([bin, n]) => row(METRIC.calls101WaitBins, bin, n)),
];

describe('calls.101.median_wait_seconds', () => {
  it('is the grouped median of answered 101 waits: the 200th of 400 is 50 of 100 into [45, 46)', () => {
    expect(
      calls101MedianWaitSeconds.compute(measureInputOf({ aggregates: waits({ 20: 150, 45: 100, 130: 100, 900: 50 }) })),
    ).toEqual([{ value: 45.5, numerator: null, denominator: 400, cells: { 'calls.101.answered': 400 } }]);
  });

  it('interpolates across the 30 s bins of long waits', () => {
    expect(calls101MedianWaitSeconds.compute(measureInputOf({ aggregates: waits({ 900: 2, 930: 2 }) }))[0]!.value).toBe(
      930,
    );
    expect(calls101MedianWaitSeconds.compute(measureInputOf({ aggregates: waits({ 900: 4 }) }))[0]!.value).toBe(915);
  });

  it('has no value without answered 101 calls', () => {
    expect(calls101MedianWaitSeconds.compute(measureInputOf())[0]).toMatchObject({ value: null, denominator: 0 });
  });
});
