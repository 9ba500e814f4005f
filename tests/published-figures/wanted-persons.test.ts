import { addDays, addMonths, daysBetween, type LocalDate } from '@rollcall/calendar';
import type { FeedEvent } from '@rollcall/contract';
import type { PublishOutcome } from '@rollcall/publishing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  atLondon,
  between,
  DAY_MS,
  dayBetween,
  expectNothingRejected,
  feedEvent,
  HOUR_MS,
  london,
  londonDayOf,
  seededRandom,
  shuffled,
  sometimeOn,
} from '../support/event-streams.ts';
import { measureOf, PipelineHarness } from '../support/pipeline-harness.ts';

/**
 * One history of PNC circulations from 2016 to 2022 whose true answers are the published ones:
 * "approximately 2,542 wanted persons with 472 of these being high risk" and 69% on PNC for more
 * than 6 months as at 1 March 2022, "up 14 percentage points on 12 October 2020" (55%: 1,100 of
 * 2,000 then); and team medians of days from circulation to arrest that "ranged from 41 days to
 * 156 days, depending on the team" over the 12 months to 1 March 2022.
 *
 * The history is built by category (open at each date or not, aged or not), with circulations
 * and closures on the London-day edges of both dates, risk changes before and after them, a
 * person circulated more than once, and closures that arrive after a first publication. The
 * expected figures are counted from the history by `oracle`, a direct reading of measures.md,
 * and the categories are checked to give the published ones.
 */

const random = seededRandom(2542);
const TEAMS = ['Bristol', 'Somerset East', 'Somerset West', 'North Somerset', 'Bath and North East Somerset'] as const;
/** The median days to arrest designed per team, 12 months to 1 March 2022. */
const TEAM_MEDIANS: Readonly<Record<(typeof TEAMS)[number], number>> = {
  Bristol: 41,
  'Somerset East': 63,
  'Somerset West': 156,
  'North Somerset': 88,
  'Bath and North East Somerset': 120,
};
type Risk = 'high' | 'medium' | 'low';

interface Circulation {
  readonly id: string;
  readonly personRef: string;
  readonly team: string;
  readonly circulatedAt: string;
  risk: Risk;
  readonly riskChanges: { at: string; risk: Risk; top20?: boolean }[];
  closed?: { readonly type: 'arrested' | 'cancelled'; readonly at: string };
}

const circulations: Circulation[] = [];

function circulate(circulatedAt: string, team: string = TEAMS[between(random, 0, TEAMS.length - 1)]!): Circulation {
  const index = circulations.length;
  const risk: Risk = (['high', 'medium', 'low'] as const)[between(random, 0, 2)]!;
  // Every 7th person is circulated again later: each circulation counts once.
  const circulation: Circulation = {
    id: `w-${index}`,
    personRef: `PNC-${index % 7 === 0 ? index - 7 : index}`,
    team,
    circulatedAt,
    risk,
    riskChanges: [],
  };
  circulations.push(circulation);
  return circulation;
}

/** Closes on a random later day from `from` to `to` (never the circulation day, unless `sameDay`). */
function close(c: Circulation, type: 'arrested' | 'cancelled', from: LocalDate, to: LocalDate): void {
  const earliest = addDays(londonDayOf(c.circulatedAt), 1);
  c.closed = { type, at: sometimeOn(random, dayBetween(random, earliest > from ? earliest : from, to)) };
}

const A: LocalDate = '2020-10-12';
const B: LocalDate = '2022-03-01';
const endOf = (day: LocalDate) => london.endOfDay(day);

// C1: 1,100 open and more than 6 months old at A (circulated on or before 12 April 2020); 500 of them still open at B.
for (let i = 0; i < 1_100; i++) {
  const c = circulate(
    i === 0
      ? atLondon('2020-04-12', 23.5 * HOUR_MS)
      : sometimeOn(random, dayBetween(random, '2017-01-01', '2020-04-12')),
  );
  if (i < 300) close(c, 'arrested', '2020-10-13', '2021-03-31');
  else if (i < 600) close(c, 'cancelled', '2020-10-13', B);
  else if (i < 620) close(c, 'arrested', '2022-03-02', '2022-06-30');
}
// C2: 900 open at A but circulated within 6 months of it (13 April to 12 October 2020); 400 still open at B.
for (let i = 0; i < 900; i++) {
  const at =
    i === 0
      ? atLondon('2020-04-13', 0.5 * HOUR_MS)
      : i === 1
        ? atLondon(A, DAY_MS - 60_000)
        : sometimeOn(random, dayBetween(random, '2020-04-13', A));
  const c = circulate(at);
  if (i < 250) close(c, 'arrested', '2020-10-13', '2021-03-31');
  else if (i < 500) close(c, 'cancelled', '2020-10-13', B);
}
// C3: 854 circulated after A and on or before 1 September 2021, open at B (more than 6 months old then).
for (let i = 0; i < 854; i++) {
  const at =
    i === 0
      ? atLondon('2020-10-13', 10 * 60_000)
      : i === 1
        ? atLondon('2021-09-01', DAY_MS - 10 * 60_000)
        : sometimeOn(random, dayBetween(random, '2020-10-13', '2021-09-01'));
  const c = circulate(at);
  if (i < 10) c.closed = { type: 'arrested', at: atLondon('2022-03-02', 30 * 60_000) };
}
// C4: 788 circulated from 2 September 2021 to B, open at B.
for (let i = 0; i < 788; i++) {
  circulate(
    i === 0
      ? atLondon('2021-09-02', 10 * 60_000)
      : i === 1
        ? atLondon(B, DAY_MS - 60_000)
        : sometimeOn(random, dayBetween(random, '2021-09-02', B)),
  );
}
// C5: 1,500 circulated and closed before the end of A, some on the same day, one in the last half hour of A.
for (let i = 0; i < 1_500; i++) {
  const day = dayBetween(random, '2016-06-01', addDays(A, -1));
  const c = circulate(i < 20 ? atLondon(day, 10 * HOUR_MS) : sometimeOn(random, day));
  if (i < 20) c.closed = { type: 'arrested', at: atLondon(day, 15 * HOUR_MS) };
  else if (i === 20) c.closed = { type: 'cancelled', at: atLondon(A, DAY_MS - 30 * 60_000) };
  else close(c, i % 3 === 0 ? 'cancelled' : 'arrested', day, A);
}
// C6: 1,200 circulated after A and closed by B. 505 are the arrests of the 12 months to B, 101 per
// team with the team's median designed: 50 shorter, the median itself, 50 longer.
for (const team of TEAMS) {
  const median = TEAM_MEDIANS[team];
  const days = [
    median,
    ...Array.from({ length: 50 }, () => between(random, 0, median - 1)),
    ...Array.from({ length: 50 }, () => between(random, median + 1, 300)),
  ];
  for (const d of days) {
    const earliestArrest = addDays('2020-10-13', d) > '2021-04-01' ? addDays('2020-10-13', d) : '2021-04-01';
    const arrestDay = dayBetween(random, earliestArrest, B);
    const circulationDay = addDays(arrestDay, -d);
    const c = circulate(d === 0 ? atLondon(circulationDay, 9 * HOUR_MS) : sometimeOn(random, circulationDay), team);
    c.closed = { type: 'arrested', at: d === 0 ? atLondon(arrestDay, 17 * HOUR_MS) : sometimeOn(random, arrestDay) };
  }
}
for (let i = 0; i < 695; i++) {
  if (i < 200)
    close(
      circulate(sometimeOn(random, dayBetween(random, '2020-10-13', '2021-03-01'))),
      'arrested',
      '2020-10-13',
      '2021-03-31',
    );
  else if (i === 200)
    circulate(atLondon('2022-02-28', 12 * HOUR_MS)).closed = { type: 'cancelled', at: atLondon(B, DAY_MS - HOUR_MS) };
  else
    close(circulate(sometimeOn(random, dayBetween(random, '2020-10-13', '2022-02-27'))), 'cancelled', '2020-10-13', B);
}
// C7: 50 circulated after B.
for (let i = 0; i < 50; i++) circulate(sometimeOn(random, dayBetween(random, '2022-03-02', '2022-03-31')));

/** Open at an instant: circulated before it and not arrested or cancelled before it (measures.md). */
const openAt = (c: Circulation, instant: number) =>
  Date.parse(c.circulatedAt) < instant && !(c.closed && Date.parse(c.closed.at) < instant);
/** Risk at an instant: the latest change before it, or the risk at circulation. */
const riskAt = (c: Circulation, instant: number) =>
  c.riskChanges.filter((change) => Date.parse(change.at) < instant).at(-1)?.risk ?? c.risk;

// Risk: of the circulations open at B, 472 are high risk then. Some were circulated at another
// risk and raised or lowered before B (one in its last hour); some change only after B.
{
  const openAtB = shuffled(
    circulations.filter((c) => openAt(c, endOf(B))),
    random,
  );
  openAtB.forEach((c, i) => {
    const target: Risk = i < 472 ? 'high' : i % 2 === 0 ? 'medium' : 'low';
    const other: Risk = target === 'high' ? 'medium' : 'high';
    const circulationDay = londonDayOf(c.circulatedAt);
    c.risk = target;
    if (i === 0) {
      c.risk = 'medium';
      c.riskChanges.push({ at: atLondon(B, DAY_MS - 30 * 60_000), risk: 'high', top20: true });
    } else if (i % 6 === 1 && circulationDay < addDays(B, -2)) {
      c.risk = other;
      c.riskChanges.push({ at: sometimeOn(random, dayBetween(random, addDays(circulationDay, 1), B)), risk: target });
    } else if (i % 6 === 2) {
      c.riskChanges.push({ at: sometimeOn(random, dayBetween(random, '2022-03-02', '2022-03-20')), risk: other });
    }
  });
}

interface Expected {
  readonly open: number;
  readonly aged: number;
  readonly highRisk: number;
  readonly openByTeam: ReadonlyMap<string, number>;
}

/** The figures as at the end of London day `day`, read straight from the history. */
function oracle(day: LocalDate): Expected {
  const instant = endOf(day);
  const agedBefore = london.startOfDay(addMonths(addDays(day, 1), -6));
  const open = circulations.filter((c) => openAt(c, instant));
  const openByTeam = new Map<string, number>();
  for (const c of open) openByTeam.set(c.team, (openByTeam.get(c.team) ?? 0) + 1);
  return {
    open: open.length,
    aged: open.filter((c) => Date.parse(c.circulatedAt) < agedBefore).length,
    highRisk: open.filter((c) => riskAt(c, instant) === 'high').length,
    openByTeam,
  };
}

/** Median days to arrest of arrests from `from` to `to` (London days), per team or overall. */
function medianDaysToArrest(from: LocalDate, to: LocalDate, team?: string): { median: number | null; arrests: number } {
  const days = circulations
    .filter((c) => c.closed?.type === 'arrested' && (team === undefined || c.team === team))
    .filter((c) => londonDayOf(c.closed!.at) >= from && londonDayOf(c.closed!.at) <= to)
    .map((c) => daysBetween(londonDayOf(c.circulatedAt), londonDayOf(c.closed!.at)))
    .sort((a, b) => a - b);
  const n = days.length;
  const median = n === 0 ? null : n % 2 === 1 ? days[(n - 1) / 2]! : (days[n / 2 - 1]! + days[n / 2]!) / 2;
  return { median, arrests: n };
}

function eventsOf(c: Circulation): { events: FeedEvent[]; closing: FeedEvent | undefined } {
  const events: FeedEvent[] = [
    feedEvent('wanted.circulated', `${c.id}-c`, c.circulatedAt, {
      circulationId: c.id,
      personRef: c.personRef,
      risk: c.risk,
      team: c.team,
      top20: false,
    }),
    ...c.riskChanges.map((change, i) =>
      feedEvent('wanted.risk-changed', `${c.id}-r${i}`, change.at, {
        circulationId: c.id,
        risk: change.risk,
        ...(change.top20 !== undefined && { top20: change.top20 }),
      }),
    ),
  ];
  const closing = !c.closed
    ? undefined
    : c.closed.type === 'arrested'
      ? feedEvent('wanted.arrested', `${c.id}-a`, c.closed.at, { circulationId: c.id })
      : feedEvent('wanted.cancelled', `${c.id}-x`, c.closed.at, { circulationId: c.id, reason: 'no longer wanted' });
  return { events, closing };
}

let harness: PipelineHarness;
let beforeLateEvents: PublishOutcome;
let atB: PublishOutcome;
let atA: PublishOutcome;

beforeAll(async () => {
  harness = await PipelineHarness.start({ workerConcurrency: 4 });
  const all = circulations.map(eventsOf);
  // 100 cancellations made before B arrive only after B has been published once.
  const late = new Set(
    circulations
      .filter(
        (c) =>
          c.closed?.type === 'cancelled' &&
          Date.parse(c.closed.at) > Date.parse('2021-06-01T00:00:00Z') &&
          Date.parse(c.closed.at) < endOf(B),
      )
      .slice(0, 100)
      .map((c) => c.id),
  );
  const onTime = all.flatMap(({ events, closing }, i) => [
    ...events,
    ...(closing && !late.has(circulations[i]!.id) ? [closing] : []),
  ]);
  const lateEvents = all.flatMap(({ closing }, i) => (closing && late.has(circulations[i]!.id) ? [closing] : []));
  expect(lateEvents).toHaveLength(100);

  await harness.offerEvents(shuffled(onTime, random));
  await harness.drain();
  beforeLateEvents = await harness.publish('avon-and-somerset', B);
  await harness.offerEvents(lateEvents);
  await harness.drain();
  await expectNothingRejected(harness);
  atB = await harness.publish('avon-and-somerset', B);
  atA = await harness.publish('avon-and-somerset', A);
}, 120_000);

afterAll(async () => {
  await harness?.close();
});

describe('the history', () => {
  it('has the published answers: 2,542 open with 1,754 aged and 472 high risk at B, 1,100 of 2,000 aged at A', () => {
    expect(oracle(B)).toMatchObject({ open: 2_542, aged: 1_754, highRisk: 472 });
    expect(oracle(A)).toMatchObject({ open: 2_000, aged: 1_100 });
    expect(Object.values(TEAM_MEDIANS).sort((a, b) => a - b)).toEqual([41, 63, 88, 120, 156]);
    for (const team of TEAMS)
      expect(medianDaysToArrest('2021-04-01', B, team)).toEqual({ median: TEAM_MEDIANS[team], arrests: 101 });
  });
});

describe('wanted persons as at 1 March 2022', () => {
  it('publishes 69% on PNC for more than 6 months: 1,754 of 2,542', () => {
    const entry = measureOf(atB, 'wanted.on_pnc_over_6_months', 'as-at');
    // Revised: the first publication, before the late closures arrived, had 100 more open.
    expect(entry).toMatchObject({ numerator: 1_754, denominator: 2_542, flags: ['[r]'] });
    expect(entry.value).toBe((1_754 / 2_542) * 100);
    expect(entry.value!.toFixed(0)).toBe('69');
  });

  it('publishes 2,542 wanted persons, 472 of them high risk', () => {
    expect(measureOf(atB, 'wanted.open', 'as-at')).toMatchObject({ value: 2_542, numerator: 2_542, denominator: null });
    expect(measureOf(atB, 'wanted.open_high_risk', 'as-at')).toMatchObject({ value: 472, numerator: 472 });
  });

  it('counts closures that arrived late but happened earlier, in a revision of the first publication', () => {
    expect(measureOf(beforeLateEvents, 'wanted.open', 'as-at')).toMatchObject({ value: 2_642 });
    expect(atB).toMatchObject({ revision: 2, created: true });
    expect(atB.document.supersedes).toBe(beforeLateEvents.document.snapshotId);
    expect(measureOf(atB, 'wanted.open', 'as-at').flags).toContain('[r]');
  });

  it('publishes team medians of days to arrest from 41 to 156 days over the 12 months, each with its open circulations', () => {
    const expected = oracle(B);
    const medians = TEAMS.map((team) => measureOf(atB, 'wanted.median_days_to_arrest', 'rolling-12m', { team }));
    expect(medians.map((m) => [m.value, m.denominator, m.extra?.openAtPeriodEnd])).toEqual(
      TEAMS.map((team) => [TEAM_MEDIANS[team], 101, expected.openByTeam.get(team)]),
    );
    expect(Math.min(...medians.map((m) => m.value!))).toBe(41);
    expect(Math.max(...medians.map((m) => m.value!))).toBe(156);
    const overall = medianDaysToArrest('2021-04-01', B);
    expect(measureOf(atB, 'wanted.median_days_to_arrest', 'rolling-12m')).toMatchObject({
      value: overall.median,
      numerator: null,
      denominator: 505,
      extra: { openAtPeriodEnd: 2_542 },
      // A revision: the open count beside the median changed (2,642 before the late arrests).
      flags: ['[p]', '[r]'],
    });
  });
});

describe('wanted persons as at 12 October 2020', () => {
  it('publishes 55% on PNC for more than 6 months: 1,100 of 2,000, 14 points below 1 March 2022', () => {
    const entry = measureOf(atA, 'wanted.on_pnc_over_6_months', 'as-at');
    expect(entry).toMatchObject({ numerator: 1_100, denominator: 2_000, flags: [] });
    expect(entry.value).toBe((1_100 / 2_000) * 100);
    expect(entry.value!.toFixed(0)).toBe('55');
    expect(Math.round(measureOf(atB, 'wanted.on_pnc_over_6_months', 'as-at').value!) - Math.round(entry.value!)).toBe(
      14,
    );
    expect(measureOf(atA, 'wanted.open', 'as-at')).toMatchObject({ value: oracle(A).open });
    expect(measureOf(atA, 'wanted.open_high_risk', 'as-at')).toMatchObject({ value: oracle(A).highRisk });
  });
});
