import type { FeedEvent } from '@rollcall/contract';
import type { PublishOutcome } from '@rollcall/publishing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  atLondon,
  between,
  DAY_MS,
  daysFrom,
  expectNothingRejected,
  feedEvent,
  londonDayOf,
  plusMs,
  seededRandom,
  shuffled,
  sometimeOn,
} from '../support/event-streams.ts';
import { measureOf, PipelineHarness } from '../support/pipeline-harness.ts';

/**
 * Avon and Somerset answered 89.4% of 999 calls within 10 seconds between 1 November 2021 and
 * 31 July 2022 (HMICFRS PEEL 2021/22): 10,000 999 calls answered in that window, 8,940 of them
 * in under 10 s (BT transfer time included), offered through the feed queues in a shuffled order
 * and published in the snapshot of 31 July 2022 for the force's PEEL 2021/22 reporting period.
 * Around them, what must not count: calls either side of the window in London time (late on 31
 * October 2021, the 25-hour day the clocks went back; early on 1 August 2022, still 31 July in
 * UTC), abandoned and unanswered calls, 101 calls, a second answer of the same call, duplicates.
 */

const PERIOD = 'custom:peel-2021-22';
const random = seededRandom(894);
const days = daysFrom('2021-11-01', '2022-07-31');

interface Call999 {
  readonly callId: string;
  readonly presentedAt: string;
  /** btTransferSeconds × 1000 + (answered − presented), in ms. */
  readonly answerMs: number;
}

/** Answering times: 8,940 under 10 s, 1,000 from 10 s to under 60 s, 60 of 60 s or more, with the edges exactly. */
const answerTimes = shuffled(
  [
    9_999,
    ...Array.from({ length: 8_939 }, () => between(random, 0, 9_999)),
    10_000,
    59_999,
    ...Array.from({ length: 998 }, () => between(random, 10_000, 59_999)),
    60_000,
    ...Array.from({ length: 59 }, () => between(random, 60_000, 400_000)),
  ],
  random,
);

// Every day of the window has calls; the first instant of 1 November and the last second of
// 31 July (23:59:59 BST, 22:59:59 UTC) are in it, and so is 27 March 2022, a 23-hour day.
const answered: Call999[] = answerTimes.map((answerMs, i) => ({
  callId: `c999-${i}`,
  presentedAt:
    i === 0
      ? atLondon('2021-11-01', 0)
      : i === 1
        ? atLondon('2022-07-31', DAY_MS - 1_000)
        : sometimeOn(random, days[i % days.length]!),
  answerMs,
}));

function answeredCallEvents({ callId, presentedAt, answerMs }: Call999): FeedEvent[] {
  const btMs = Math.min(answerMs, between(random, 1, 40) * 100);
  return [
    feedEvent('call.presented', `${callId}-p`, presentedAt, {
      callId,
      channel: '999',
      queue: 'primary',
      btTransferSeconds: btMs / 1000,
    }),
    feedEvent('call.answered', `${callId}-a`, plusMs(presentedAt, answerMs - btMs), { callId }),
  ];
}

const abandoned999 = Array.from({ length: 150 }, (_, i) => ({
  callId: `c999-ab-${i}`,
  presentedAt: sometimeOn(random, days[(i * 7) % days.length]!),
}));
// Still waiting at the end of 30 June and of 31 July: 5 999 calls and 7 101 calls each night,
// presented from 23:41 London time (BST).
const waitingAtEndOf = (day: string) => ({
  calls999: Array.from({ length: 5 }, (_, i) => ({
    callId: `c999-w-${day}-${i}`,
    presentedAt: atLondon(day, DAY_MS - (19 - i) * 60_000),
  })),
  calls101: Array.from({ length: 7 }, (_, i) => ({
    callId: `c101-w-${day}-${i}`,
    presentedAt: atLondon(day, DAY_MS - (15 - i) * 60_000),
  })),
});
const waiting = [waitingAtEndOf('2022-06-30'), waitingAtEndOf('2022-07-31')];
// Outside the window in London time: late on 31 October 2021 (GMT by then) and early on 1 August 2022 (BST).
const outside = [
  ...Array.from({ length: 30 }, (_, i) => ({
    callId: `c999-oct-${i}`,
    presentedAt: atLondon('2021-10-31', DAY_MS - (i + 1) * 60_000),
    answerMs: 30_000,
  })),
  ...Array.from({ length: 25 }, (_, i) => ({
    callId: `c999-aug-${i}`,
    presentedAt: atLondon('2022-08-01', (i + 1) * 60_000),
    answerMs: 3_000,
  })),
];

/**
 * 101 calls in the window, with Avon and Somerset's minimum wait for abandonment of 60 s: 2,000
 * presented (14 of them still waiting, above), 500 transferred to the secondary queue; 1,786
 * answered; 80 abandoned after less than 60 s (not counted) and 120 after 60 s or more (60.000 s
 * exactly included), 70 of those on the secondary queue.
 */
function calls101(): FeedEvent[] {
  const roles = [
    ...Array<string>(70).fill('abandoned after 60 s on the secondary queue'),
    ...Array<string>(50).fill('abandoned after 60 s on the primary queue'),
    ...Array<string>(80).fill('abandoned within 60 s'),
    ...Array<string>(430).fill('answered on the secondary queue'),
    ...Array<string>(1_356).fill('answered on the primary queue'),
  ];
  return roles.flatMap((role, i) => {
    const callId = `c101-${i}`;
    const presentedAt = sometimeOn(random, days[(i * 13) % days.length]!);
    const events: FeedEvent[] = [
      feedEvent('call.presented', `${callId}-p`, presentedAt, { callId, channel: '101', queue: 'primary' }),
    ];
    if (role.endsWith('secondary queue'))
      events.push(
        feedEvent('call.transferred', `${callId}-t`, plusMs(presentedAt, 20_000), { callId, toQueue: 'secondary' }),
      );
    if (role.startsWith('answered')) {
      events.push(
        feedEvent('call.answered', `${callId}-a`, plusMs(presentedAt, between(random, 25_000, 600_000)), { callId }),
      );
    } else {
      const waitMs =
        role === 'abandoned within 60 s'
          ? between(random, 0, 59_999)
          : i === 0
            ? 60_000
            : between(random, 60_000, 900_000);
      events.push(feedEvent('call.abandoned', `${callId}-x`, plusMs(presentedAt, waitMs), { callId }));
    }
    return events;
  });
}

let harness: PipelineHarness;
let snapshot: PublishOutcome;
let endOfJune: PublishOutcome;

beforeAll(async () => {
  harness = await PipelineHarness.start({ workerConcurrency: 4 });
  const events: FeedEvent[] = [
    ...answered.flatMap(answeredCallEvents),
    ...outside.flatMap(answeredCallEvents),
    // A second answer of ten calls, 30 s after the first: the earliest counts.
    ...answered
      .slice(0, 10)
      .map(({ callId, presentedAt, answerMs }) =>
        feedEvent('call.answered', `${callId}-a2`, plusMs(presentedAt, answerMs + 30_000), { callId }),
      ),
    ...abandoned999.flatMap(({ callId, presentedAt }) => [
      feedEvent('call.presented', `${callId}-p`, presentedAt, {
        callId,
        channel: '999',
        queue: 'primary',
        btTransferSeconds: 1.5,
      }),
      feedEvent('call.abandoned', `${callId}-x`, plusMs(presentedAt, 45_000), { callId }),
    ]),
    ...waiting.flatMap(({ calls999 }) =>
      calls999.map(({ callId, presentedAt }) =>
        feedEvent('call.presented', `${callId}-p`, presentedAt, {
          callId,
          channel: '999',
          queue: 'primary',
          btTransferSeconds: 2,
        }),
      ),
    ),
    ...waiting.flatMap(({ calls101 }) =>
      calls101.map(({ callId, presentedAt }) =>
        feedEvent('call.presented', `${callId}-p`, presentedAt, { callId, channel: '101', queue: 'primary' }),
      ),
    ),
    ...calls101(),
  ];
  // Shuffled, so answers often arrive before their calls, and the jobs of 1,000 interleave.
  const stream = shuffled(events, random);
  await harness.offerEvents(stream);
  await harness.offerEvents(stream.slice(0, 500)); // offered twice: duplicates, counted once
  await harness.drain();
  await expectNothingRejected(harness);
  snapshot = await harness.publish('avon-and-somerset', '2022-07-31');
  endOfJune = await harness.publish('avon-and-somerset', '2022-06-30');
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

describe('999 calls answered within 10 seconds, 1 November 2021 to 31 July 2022', () => {
  it('publishes 89.4%: 8,940 of 10,000 answered calls, against the 90% target: missed, but nearly met (its 95% interval, 88.8% to 90.0%, reaches 90%)', () => {
    const entry = measureOf(snapshot, 'calls.999.answered_within_10s', PERIOD);
    expect(entry).toMatchObject({ numerator: 8_940, denominator: 10_000, target: 90, status: 'nearly met', flags: [] });
    expect(entry.value).toBe((8_940 / 10_000) * 100);
    expect(entry.value!.toFixed(1)).toBe('89.4');
    expect(entry.period).toMatchObject({ from: '2021-11-01', to: '2022-07-31' });
  });

  it('publishes the police.uk bands and the mean answer time for the same calls', () => {
    const band = (key: string) => measureOf(snapshot, `calls.999.band.${key}`, PERIOD);
    expect(band('under_10s')).toMatchObject({ value: 89.4, numerator: 8_940, denominator: 10_000 });
    expect(band('10_to_under_60s')).toMatchObject({ value: 10, numerator: 1_000, denominator: 10_000 });
    expect(band('60s_or_more')).toMatchObject({ value: 0.6, numerator: 60, denominator: 10_000 });
    const totalSeconds = answered.reduce((sum, call) => sum + call.answerMs, 0) / 1000;
    const mean = measureOf(snapshot, 'calls.999.mean_answer_seconds', PERIOD);
    expect(mean).toMatchObject({ denominator: 10_000 });
    expect(mean.numerator).toBeCloseTo(totalSeconds, 6);
    expect(mean.value).toBeCloseTo(totalSeconds / 10_000, 9);
  });

  it('publishes the month of July 2022 from the calls presented in it', () => {
    const july = answered.filter((call) => londonDayOf(call.presentedAt) >= '2022-07-01');
    const entry = measureOf(snapshot, 'calls.999.answered_within_10s', 'month');
    expect(entry).toMatchObject({
      numerator: july.filter((call) => call.answerMs < 10_000).length,
      denominator: july.length,
      flags: [],
    });
  });

  it('publishes 999 abandonment over all calls presented in the window, unanswered ones included', () => {
    expect(measureOf(snapshot, 'calls.999.abandoned_rate', PERIOD)).toMatchObject({
      numerator: 150,
      denominator: 10_160,
      value: (150 / 10_160) * 100,
    });
  });

  it("publishes 101 abandonment after at least Avon and Somerset's 60 s, overall and on the secondary queue, against the 5% benchmark", () => {
    expect(measureOf(snapshot, 'calls.101.abandoned_rate', PERIOD)).toMatchObject({
      value: 6,
      numerator: 120,
      denominator: 2_000,
      target: 5,
      status: 'not met',
    });
    expect(measureOf(snapshot, 'calls.101.secondary_abandoned_rate', PERIOD)).toMatchObject({
      numerator: 70,
      denominator: 500,
      value: (70 / 500) * 100,
    });
  });

  it('publishes the calls still waiting at the end of the as-of day, and the longest wait', () => {
    expect(measureOf(endOfJune, 'calls.live.waiting', 'as-at')).toMatchObject({ value: 12, flags: [] });
    expect(measureOf(endOfJune, 'calls.live.waiting', 'as-at', { channel: '999', queue: 'primary' })).toMatchObject({
      value: 5,
    });
    expect(measureOf(endOfJune, 'calls.live.waiting', 'as-at', { channel: '101', queue: 'primary' })).toMatchObject({
      value: 7,
    });
    expect(measureOf(endOfJune, 'calls.live.waiting', 'as-at', { channel: '101', queue: 'secondary' })).toMatchObject({
      value: 0,
    });
    expect(measureOf(endOfJune, 'calls.live.longest_wait_seconds', 'as-at')).toMatchObject({
      value: 19 * 60,
      denominator: 12,
    });
    expect(
      measureOf(endOfJune, 'calls.live.longest_wait_seconds', 'as-at', { channel: '101', queue: 'primary' }),
    ).toMatchObject({ value: 15 * 60, denominator: 7 });
  });

  // A custom period ending on the as-of day must not replace the as-at aggregates (and their
  // live-call figures) with its own up-to-end sums. 13 waiting: the 12 placed to wait, and the
  // call presented at 23:59:59 on 31 July, answered only after midnight.
  it('publishes the calls waiting on a day a custom reporting period ends', () => {
    expect(measureOf(snapshot, 'calls.live.waiting', 'as-at')).toMatchObject({ value: 13 });
    expect(measureOf(snapshot, 'calls.live.waiting', 'as-at', { channel: '999', queue: 'primary' })).toMatchObject({
      value: 6,
    });
  });
});
