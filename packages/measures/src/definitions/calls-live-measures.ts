import type { Aggregates } from '../aggregates.ts';
import { AS_AT_METRIC } from '@rollcall/contract';
import type { MeasureDefinition } from '../measure-definition.ts';
import { countResult, derivedResult } from '../measure-results.ts';
import { row } from './measure-input-of.ts';

export const CALLS_LIVE_CELLS = {
  waiting: 'calls.live.waiting',
  /** Per `channel|queue`; the parts add up to `waiting`. */
  waitingPrefix: 'calls.live.waiting.',
} as const;

/** Channel and queue pairs always published, waiting or not, so a dashboard finds every row. */
const STANDARD_QUEUES = ['999|primary', '101|primary', '101|secondary'] as const;

/** Every `channel|queue` to publish: the standard ones, then any other seen, in order. */
function queuesOf(aggregates: Aggregates): string[] {
  const seen = [...aggregates.dims(AS_AT_METRIC.callsWaiting).keys()]
    .filter((dim) => !(STANDARD_QUEUES as readonly string[]).includes(dim))
    .sort();
  return [...STANDARD_QUEUES, ...seen];
}

const breakdownOf = (dim: string) => {
  const [channel = '', queue = ''] = dim.split('|');
  return { channel, queue };
};

const LIVE_RULE =
  'A call is waiting at the end of the as-of day (London) when it was presented in the 24 hours before that instant and was neither answered nor abandoned by then; ' +
  'calls are read as they stand when the snapshot is published, per channel (999, 101) and the queue they are in (secondary once transferred). A call unresolved ' +
  'for more than 24 hours is treated as lost data (its end was never received), not a call still waiting, and is left out. Counts from 1 to 4 are suppressed on publication like any other count.';

const example = {
  description:
    'At the end of the day: 5 999 calls waiting (longest 12.5 s), 9 101 calls on the primary queue (longest 4 min 10 s) and 6 on the secondary queue (longest 7 min 3 s).',
  aggregates: [
    row(AS_AT_METRIC.callsWaiting, '999|primary', 5),
    row(AS_AT_METRIC.callsLongestWaitMs, '999|primary', 12_500),
    row(AS_AT_METRIC.callsWaiting, '101|primary', 9),
    row(AS_AT_METRIC.callsLongestWaitMs, '101|primary', 250_000),
    row(AS_AT_METRIC.callsWaiting, '101|secondary', 6),
    row(AS_AT_METRIC.callsLongestWaitMs, '101|secondary', 423_000),
  ],
};

export const callsLiveWaiting: MeasureDefinition = {
  id: 'calls.live.waiting',
  title: 'Calls waiting to be answered',
  feed: 'call-handling',
  unit: 'count',
  direction: 'neither',
  definition: `Calls waiting to be answered as at the end of the as-of day. ${LIVE_RULE} Headline: all channels and queues; breakdown by channel and queue.`,
  source:
    'The communication-centre dashboard "monitors how many 999 or 101 calls are waiting to be answered, as well as the longest waiting time" (HMICFRS PEEL).',
  periods: ['as-at'],
  breakdowns: ['channel', 'queue'],
  additiveGroups: [{ total: CALLS_LIVE_CELLS.waiting, partsPrefix: CALLS_LIVE_CELLS.waitingPrefix }],
  example,
  compute: ({ aggregates }) => [
    countResult(aggregates.total(AS_AT_METRIC.callsWaiting), CALLS_LIVE_CELLS.waiting),
    ...queuesOf(aggregates).map((dim) =>
      countResult(
        aggregates.get(AS_AT_METRIC.callsWaiting, dim),
        `${CALLS_LIVE_CELLS.waitingPrefix}${dim}`,
        breakdownOf(dim),
      ),
    ),
  ],
};

export const callsLiveLongestWaitSeconds: MeasureDefinition = {
  id: 'calls.live.longest_wait_seconds',
  title: 'Longest wait of a call waiting',
  feed: 'call-handling',
  unit: 'seconds',
  direction: 'lower-is-better',
  definition:
    `The longest time any call waiting has been waiting, from presentation to the end of the as-of day. ${LIVE_RULE} ` +
    'Numerator: none; denominator: the calls waiting it is the longest of. Headline: the longest over all channels and queues; breakdown by channel and queue. No value ([z]) when no call is waiting.',
  source:
    'The communication-centre dashboard "monitors how many 999 or 101 calls are waiting to be answered, as well as the longest waiting time" (HMICFRS PEEL).',
  periods: ['as-at'],
  breakdowns: ['channel', 'queue'],
  additiveGroups: [{ total: CALLS_LIVE_CELLS.waiting, partsPrefix: CALLS_LIVE_CELLS.waitingPrefix }],
  example,
  compute: ({ aggregates }) => {
    const queues = queuesOf(aggregates);
    const waiting = aggregates.total(AS_AT_METRIC.callsWaiting);
    const longestMs = Math.max(
      0,
      ...queues.map((dim) =>
        aggregates.get(AS_AT_METRIC.callsWaiting, dim) > 0 ? aggregates.get(AS_AT_METRIC.callsLongestWaitMs, dim) : 0,
      ),
    );
    return [
      derivedResult(waiting > 0 ? longestMs / 1000 : null, null, waiting, { [CALLS_LIVE_CELLS.waiting]: waiting }),
      ...queues.map((dim) => {
        const count = aggregates.get(AS_AT_METRIC.callsWaiting, dim);
        const value = count > 0 ? aggregates.get(AS_AT_METRIC.callsLongestWaitMs, dim) / 1000 : null;
        return derivedResult(
          value,
          null,
          count,
          { [`${CALLS_LIVE_CELLS.waitingPrefix}${dim}`]: count },
          { breakdown: breakdownOf(dim) },
        );
      }),
    ];
  },
};

/** What the communication centre watches: calls waiting and the longest wait, as at the end of the day. */
export const callsLiveMeasures: readonly MeasureDefinition[] = [callsLiveWaiting, callsLiveLongestWaitSeconds];
