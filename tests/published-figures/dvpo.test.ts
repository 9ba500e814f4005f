import type { LocalDate } from '@rollcall/calendar';
import type { FeedEvent } from '@rollcall/contract';
import type { PublishOutcome } from '@rollcall/publishing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  atLondon,
  between,
  DAY_MS,
  dayBetween,
  daysFrom,
  expectNothingRejected,
  feedEvent,
  HOUR_MS,
  londonDayOf,
  plusMs,
  seededRandom,
  shuffled,
  sometimeOn,
} from '../support/event-streams.ts';
import { measureOf, PipelineHarness } from '../support/pipeline-harness.ts';

/**
 * Domestic violence protection notices and orders, as HMICFRS and the force published them:
 * "248 DVPOs applied for, 232 granted, 28 breached; 253 DVPNs, 14 breached" in the 12 months to
 * March 2019, and applications "284 in 2020–21, 258 in 2021–22". The 2018/19 year runs over two
 * clock changes and ends on one (31 March 2019, when BST began); its edges are tested both sides.
 * Around the figures, what must not count: orders decided in the year but applied for before it
 * (they count as granted, by decision time), decisions after it, breaches of orders refused or
 * not yet granted, breaches of notices never authorised.
 */

const random = seededRandom(248);

interface ProtectionCase {
  readonly caseRef: string;
  dvpnAt?: string;
  appliedAt?: string;
  decision?: { readonly at: string; readonly outcome: 'granted' | 'refused' | 'withdrawn' };
  readonly dvpnBreaches: string[];
  readonly dvpoBreaches: string[];
}

const cases: ProtectionCase[] = [];
const newCase = (fields: Partial<ProtectionCase> = {}): ProtectionCase => {
  const c: ProtectionCase = { caseRef: `case-${cases.length}`, dvpnBreaches: [], dvpoBreaches: [], ...fields };
  cases.push(c);
  return c;
};

/** `n` instants spread over the days from `from` to `to`, so every month has some. */
const spread = (n: number, from: LocalDate, to: LocalDate): string[] => {
  const days = daysFrom(from, to);
  return Array.from({ length: n }, (_, i) => sometimeOn(random, days[Math.floor((i * days.length) / n)]!));
};

// 2018/19. 12 orders applied for in March 2018 and decided in the first days of April: in the year's decisions.
for (let i = 0; i < 12; i++) {
  const appliedAt =
    i === 0
      ? atLondon('2018-03-31', DAY_MS - 30 * 60_000)
      : sometimeOn(random, dayBetween(random, '2018-03-05', '2018-03-30'));
  const decidedAt =
    i === 0 ? atLondon('2018-04-01', 30 * 60_000) : sometimeOn(random, dayBetween(random, '2018-04-01', '2018-04-05'));
  newCase({ appliedAt, decision: { at: decidedAt, outcome: i < 10 ? 'granted' : 'refused' } });
}
// 248 applications in the year, from 00:30 BST on 1 April 2018 to 23:30 BST on 31 March 2019.
const applications = spread(248, '2018-04-01', '2019-03-31');
applications[0] = atLondon('2018-04-01', 30 * 60_000);
applications[247] = atLondon('2019-03-31', 23 * HOUR_MS - 30 * 60_000); // a 23-hour day: 23:30 BST
const applied = applications.map((appliedAt, i) => {
  // Decided one to three days later: 222 granted, 6 refused, 5 withdrawn within the year; the
  // last 15 applications are decided in April 2019 (13) or not yet (2).
  const decidedAt = plusMs(appliedAt, between(random, 1, 3) * DAY_MS);
  const outcome = i < 222 ? 'granted' : i < 228 ? 'refused' : 'withdrawn';
  const decision =
    i < 233
      ? { at: decidedAt, outcome }
      : i < 246
        ? { at: sometimeOn(random, dayBetween(random, '2019-04-02', '2019-04-20')), outcome: 'granted' }
        : undefined;
  // Most orders follow a notice authorised two hours earlier.
  return newCase({
    appliedAt,
    ...(decision && { decision: decision as ProtectionCase['decision'] }),
    ...(i >= 2 && i < 232 && { dvpnAt: plusMs(appliedAt, -2 * HOUR_MS) }),
  });
});

const inYear = (iso: string, from: LocalDate, to: LocalDate) => londonDayOf(iso) >= from && londonDayOf(iso) <= to;
const FY_2018 = ['2018-04-01', '2019-03-31'] as const;

// Notices without an order, to make 253 in the year; and one either side of it.
{
  const fromOrders = cases.filter((c) => c.dvpnAt && inYear(c.dvpnAt, ...FY_2018)).length;
  for (const dvpnAt of spread(253 - fromOrders, '2018-04-01', '2019-03-31')) newCase({ dvpnAt });
  newCase({ dvpnAt: atLondon('2018-03-31', DAY_MS - HOUR_MS) });
  newCase({ dvpnAt: atLondon('2019-04-01', 30 * 60_000) });
}
// 28 breaches of granted orders in the year (three orders breached twice); and what does not count.
{
  const granted = applied.filter((c) => c.decision?.outcome === 'granted' && londonDayOf(c.decision.at) < '2019-02-01');
  for (let i = 0; i < 25; i++) {
    const c = granted[i * 8]!;
    c.dvpoBreaches.push(plusMs(c.decision!.at, between(random, 1, 50) * DAY_MS));
    if (i < 3) c.dvpoBreaches.push(plusMs(c.decision!.at, 55 * DAY_MS));
  }
  granted[1]!.dvpoBreaches.push(plusMs(granted[1]!.decision!.at, -HOUR_MS)); // before the order was granted
  granted[2]!.dvpoBreaches.push(atLondon('2019-04-01', 30 * 60_000)); // the next year
  for (const c of applied.filter((c) => c.decision?.outcome === 'refused').slice(0, 3))
    c.dvpoBreaches.push(plusMs(c.decision!.at, DAY_MS)); // no order
}
// 14 breaches of notices in the year; one of a case without a notice, one in the next year.
{
  const notices = cases.filter((c) => c.dvpnAt && inYear(c.dvpnAt, '2018-04-01', '2019-02-28'));
  for (let i = 0; i < 14; i++) notices[i * 10]!.dvpnBreaches.push(plusMs(notices[i * 10]!.dvpnAt!, 20 * HOUR_MS));
  newCase({ dvpnBreaches: [atLondon('2018-06-02', 10 * HOUR_MS)] });
  notices[1]!.dvpnBreaches.push(atLondon('2019-04-02', 10 * HOUR_MS));
}
// 2020/21 and 2021/22: 284 and 258 applications, with the year boundary at midnight BST.
const applications2020 = spread(284, '2020-04-01', '2021-03-31');
applications2020[0] = atLondon('2020-04-01', 15 * 60_000);
applications2020[283] = atLondon('2021-03-31', DAY_MS - 30 * 60_000);
const applications2021 = spread(258, '2021-04-01', '2022-03-31');
applications2021[0] = atLondon('2021-04-01', 30 * 60_000);
applications2021[257] = atLondon('2022-03-31', DAY_MS - 30 * 60_000);
for (const appliedAt of [...applications2020, ...applications2021])
  newCase({ appliedAt, decision: { at: plusMs(appliedAt, DAY_MS), outcome: 'granted' } });

/** The figures of a year, read straight from the cases with the rules of measures.md and feeds.md. */
function oracle(from: LocalDate, to: LocalDate) {
  const granted = (c: ProtectionCase) =>
    c.decision?.outcome === 'granted' && c.appliedAt !== undefined && c.decision.at >= c.appliedAt;
  return {
    dvpnAuthorised: cases.filter((c) => c.dvpnAt && inYear(c.dvpnAt, from, to)).length,
    dvpnBreached: cases.flatMap((c) =>
      c.dvpnBreaches.filter((at) => c.dvpnAt !== undefined && at >= c.dvpnAt && inYear(at, from, to)),
    ).length,
    applied: cases.filter((c) => c.appliedAt && inYear(c.appliedAt, from, to)).length,
    decided: cases.filter((c) => c.decision && c.appliedAt && inYear(c.decision.at, from, to)).length,
    granted: cases.filter((c) => granted(c) && inYear(c.decision!.at, from, to)).length,
    dvpoBreached: cases.flatMap((c) =>
      c.dvpoBreaches.filter((at) => granted(c) && at >= c.decision!.at && inYear(at, from, to)),
    ).length,
  };
}

function eventsOf(c: ProtectionCase): FeedEvent[] {
  const subjectRef = `S-${c.caseRef}`;
  return [
    ...(c.dvpnAt ? [feedEvent('dvpn.authorised', `${c.caseRef}-n`, c.dvpnAt, { caseRef: c.caseRef, subjectRef })] : []),
    ...(c.appliedAt
      ? [feedEvent('dvpo.applied', `${c.caseRef}-o`, c.appliedAt, { caseRef: c.caseRef, subjectRef })]
      : []),
    ...(c.decision
      ? [
          feedEvent('dvpo.decided', `${c.caseRef}-d`, c.decision.at, {
            caseRef: c.caseRef,
            outcome: c.decision.outcome,
          }),
        ]
      : []),
    ...c.dvpnBreaches.map((at, i) => feedEvent('dvpn.breached', `${c.caseRef}-nb${i}`, at, { caseRef: c.caseRef })),
    ...c.dvpoBreaches.map((at, i) => feedEvent('dvpo.breached', `${c.caseRef}-ob${i}`, at, { caseRef: c.caseRef })),
  ];
}

/**
 * 1,000 domestic-abuse crimes in 2018/19; for 600 a consideration was recorded (some twice, some before the crime
 * arrived).
 */
function crimes(): FeedEvent[] {
  return spread(1_000, '2018-04-01', '2019-03-31').flatMap((recordedAt, i) => {
    const crimeRef = `cr-${i}`;
    const events: FeedEvent[] = [feedEvent('domestic-abuse.crime-recorded', `${crimeRef}-r`, recordedAt, { crimeRef })];
    if (i < 600)
      events.push(
        feedEvent('protection.considered', `${crimeRef}-c`, plusMs(recordedAt, (i % 3) * HOUR_MS), {
          crimeRef,
          considered: i % 3 !== 0,
        }),
      );
    if (i < 30)
      events.push(
        feedEvent('protection.considered', `${crimeRef}-c2`, plusMs(recordedAt, 5 * DAY_MS), {
          crimeRef,
          considered: true,
        }),
      );
    return events;
  });
}

let harness: PipelineHarness;
let march2019: PublishOutcome;
let march2022: PublishOutcome;

beforeAll(async () => {
  harness = await PipelineHarness.start({ workerConcurrency: 4 });
  await harness.offerEvents(shuffled([...cases.flatMap(eventsOf), ...crimes()], random));
  await harness.drain();
  await expectNothingRejected(harness);
  march2019 = await harness.publish('avon-and-somerset', '2019-03-31');
  march2022 = await harness.publish('avon-and-somerset', '2022-03-31');
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

describe('the cases', () => {
  it('have the published answers', () => {
    expect(oracle(...FY_2018)).toEqual({
      dvpnAuthorised: 253,
      dvpnBreached: 14,
      applied: 248,
      decided: 245,
      granted: 232,
      dvpoBreached: 28,
    });
    expect(oracle('2020-04-01', '2021-03-31').applied).toBe(284);
    expect(oracle('2021-04-01', '2022-03-31').applied).toBe(258);
  });
});

describe('DVPNs and DVPOs in the 12 months to March 2019', () => {
  const figure = (measureId: string) => measureOf(march2019, measureId, 'financial-year');

  it('publishes 248 DVPOs applied for, 232 granted, 28 breached', () => {
    expect(figure('dvpo.applied')).toMatchObject({ value: 248, numerator: 248, denominator: null, flags: [] });
    expect(figure('dvpo.granted')).toMatchObject({ value: 232, numerator: 232, denominator: null, flags: [] });
    expect(figure('dvpo.breached')).toMatchObject({ value: 28, numerator: 28, denominator: null, flags: [] });
  });

  it('publishes 253 DVPNs, 14 breached', () => {
    expect(figure('dvpn.authorised')).toMatchObject({ value: 253, numerator: 253, flags: [] });
    expect(figure('dvpn.breached')).toMatchObject({ value: 14, numerator: 14, flags: [] });
  });

  it('publishes the grant rate over the decisions of the year', () => {
    expect(figure('dvpo.grant_rate')).toMatchObject({
      numerator: 232,
      denominator: 245,
      value: (232 / 245) * 100,
      flags: [],
    });
  });

  it('publishes how often a consideration of a notice or order was recorded on domestic-abuse crimes', () => {
    expect(figure('protection.considered_recorded_rate')).toMatchObject({
      value: 60,
      numerator: 600,
      denominator: 1_000,
    });
  });

  it('counts the same year as the rolling 12 months to March 2019', () => {
    expect(measureOf(march2019, 'dvpo.applied', 'rolling-12m')).toMatchObject({ value: 248 });
    expect(
      march2019.document.measures.some(
        (m) => m.measureId === 'dvpo.applications_change' && m.period.id !== 'financial-year',
      ),
    ).toBe(false);
  });
});

describe('DVPO applications, 2020/21 against 2021/22', () => {
  it('publishes 258 applications in 2021/22', () => {
    expect(measureOf(march2022, 'dvpo.applied', 'financial-year')).toMatchObject({
      value: 258,
      numerator: 258,
      flags: [],
    });
  });

  it('publishes the change from 284: down 26, 9.2%', () => {
    const change = measureOf(march2022, 'dvpo.applications_change', 'financial-year');
    expect(change).toMatchObject({
      numerator: 258,
      denominator: 284,
      extra: { thisYear: 258, previousYear: 284, change: -26 },
      unit: 'percent-change',
      flags: [],
    });
    expect(change.value).toBeCloseTo(((258 - 284) / 284) * 100, 8);
    expect(change.value!.toFixed(1)).toBe('-9.2');
  });
});
