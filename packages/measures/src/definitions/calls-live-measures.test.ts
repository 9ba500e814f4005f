import { describe, expect, it } from 'vitest';
import { AS_AT_METRIC } from '@rollcall/contract';
import { callsLiveLongestWaitSeconds, callsLiveWaiting } from './calls-live-measures.ts';
import { measureInputOf, row } from './measure-input-of.ts';

const live = measureInputOf({
  aggregates: [
    row(AS_AT_METRIC.callsWaiting, '999|primary', 5),
    row(AS_AT_METRIC.callsLongestWaitMs, '999|primary', 12_500),
    row(AS_AT_METRIC.callsWaiting, '101|secondary', 6),
    row(AS_AT_METRIC.callsLongestWaitMs, '101|secondary', 423_000),
  ],
});

describe('calls.live.waiting', () => {
  it('publishes the total and every channel and queue, waiting or not', () => {
    expect(callsLiveWaiting.compute(live)).toEqual([
      { value: 11, numerator: 11, denominator: null, cells: { 'calls.live.waiting': 11 } },
      {
        breakdown: { channel: '999', queue: 'primary' },
        value: 5,
        numerator: 5,
        denominator: null,
        cells: { 'calls.live.waiting.999|primary': 5 },
      },
      {
        breakdown: { channel: '101', queue: 'primary' },
        value: 0,
        numerator: 0,
        denominator: null,
        cells: { 'calls.live.waiting.101|primary': 0 },
      },
      {
        breakdown: { channel: '101', queue: 'secondary' },
        value: 6,
        numerator: 6,
        denominator: null,
        cells: { 'calls.live.waiting.101|secondary': 6 },
      },
    ]);
  });

  it('is zero, not missing, when nothing waits', () => {
    expect(callsLiveWaiting.compute(measureInputOf())[0]).toMatchObject({ value: 0 });
  });
});

describe('calls.live.longest_wait_seconds', () => {
  it('is the longest wait overall and per channel and queue, in seconds', () => {
    const [headline, ...queues] = callsLiveLongestWaitSeconds.compute(live);
    expect(headline).toEqual({ value: 423, numerator: null, denominator: 11, cells: { 'calls.live.waiting': 11 } });
    expect(queues.map((q) => [q.breakdown, q.value, q.denominator])).toEqual([
      [{ channel: '999', queue: 'primary' }, 12.5, 5],
      [{ channel: '101', queue: 'primary' }, null, 0],
      [{ channel: '101', queue: 'secondary' }, 423, 6],
    ]);
  });

  it('has no value when no call is waiting', () => {
    expect(callsLiveLongestWaitSeconds.compute(measureInputOf())[0]).toMatchObject({ value: null, denominator: 0 });
  });
});
