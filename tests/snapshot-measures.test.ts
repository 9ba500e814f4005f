import type { FeedEvent } from '@rollcall/contract';
import { MEASURES } from '@rollcall/measures';
import { type PublishOutcome } from '@rollcall/publishing';
import { publishSnapshot } from '@rollcall/publishing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectNothingRejected, feedEvent, plusMs, seededRandom, shuffled } from './support/event-streams.ts';
import { measureOf, PipelineHarness } from './support/pipeline-harness.ts';

/**
 * Every measure of measures.md, through the queues, workers and publication, on a small event
 * set whose true answers are counted by hand below: Avon and Somerset in January 2024 (GMT, so
 * London time is UTC), published as of 31 January. The measures here are those without a
 * published-figure test of their own (tests/published-figures/); the set also holds events a
 * valid lifecycle cannot (an assessment before its answer, a transfer before its call, an arrest
 * before its circulation, a second answer) to show they are not counted.
 *
 * Disclosure control (tested on its own) is set to suppress nothing, so that counts of 1 to 4
 * can be read exactly.
 */

/** Every measureId of measures.md, written out: the catalogue must hold exactly these. */
const SPEC_MEASURE_IDS = [
  'calls.999.answered_within_10s',
  'calls.999.band.under_10s',
  'calls.999.band.10_to_under_60s',
  'calls.999.band.60s_or_more',
  'calls.999.mean_answer_seconds',
  'calls.999.median_answer_seconds',
  'calls.999.p90_answer_seconds',
  'calls.999.abandoned_rate',
  'calls.101.median_wait_seconds',
  'calls.101.abandoned_rate',
  'calls.101.secondary_abandoned_rate',
  'calls.live.waiting',
  'calls.live.longest_wait_seconds',
  'calls.risk_assessed_rate',
  'calls.repeat_victim_identified_rate',
  'incidents.attended_within_target',
  'wanted.on_pnc_over_6_months',
  'wanted.open',
  'wanted.open_high_risk',
  'wanted.median_days_to_arrest',
  'dvpn.authorised',
  'dvpn.breached',
  'dvpo.applied',
  'dvpo.granted',
  'dvpo.breached',
  'dvpo.grant_rate',
  'dvpo.applications_change',
  'protection.considered_recorded_rate',
  'stopsearch.count',
  'stopsearch.rate_per_1000',
  'stopsearch.disproportionality.asian',
  'stopsearch.disproportionality.black',
  'stopsearch.disproportionality.mixed',
  'stopsearch.disproportionality.other',
  'stopsearch.disproportionality.other_than_white',
  'stopsearch.ethnicity_recorded_rate',
  'stopsearch.reasonable_grounds_rate',
  'stopsearch.outcome_rate.arrest',
  'stopsearch.outcome_rate.no-further-action',
  'stopsearch.outcome_rate.community-resolution',
  'stopsearch.outcome_rate.drugs-warning',
  'stopsearch.outcome_rate.penalty-notice',
  'stopsearch.outcome_rate.caution',
  'stopsearch.outcome_rate.summons',
  'stopsearch.outcome_rate.article-found',
  'stopsearch.outcome_rate.not-recorded',
  'stopsearch.outcome_rate.other',
  'stopsearch.find_rate',
];

const FORCE = 'avon-and-somerset';
const AS_OF = '2024-01-31';
/** An instant of January 2024 (GMT: London time is UTC). */
const jan = (day: number, time: string) => `2024-01-${String(day).padStart(2, '0')}T${time}Z`;
const events: FeedEvent[] = [];

// 999 calls, presented on 10 January. Answering time = BT transfer + (answered - presented):
// 4, 5, 5.5, 6, 8.2 and 9.999 s are under 10 s (6 of 10); 10, 12 and 45 s are from 10 s to under
// 60 s; 75 s is 60 s or more. They add up to 180.699 s. Bins (1 s wide): 4, 5, 5, 6, 8, 9, 10, 12,
// 45, 75. Median (grouped, N/2 = 5): the 5th observation closes bin [8, 9), so 8 + (5 - 4)/1 = 9 s.
// 90th percentile (9): the 9th closes bin [45, 46), so 45 + (9 - 8)/1 = 46 s.
const ANSWERS_999: readonly (readonly [answerMs: number, btSeconds: number])[] = [
  [4_000, 1],
  [5_000, 1],
  [5_500, 1.5],
  [6_000, 2],
  [8_200, 1.2],
  [9_999, 2],
  [10_000, 2],
  [12_000, 3],
  [45_000, 2],
  [75_000, 2.5],
];
ANSWERS_999.forEach(([answerMs, btSeconds], i) => {
  const callId = `c999-${i}`;
  const presentedAt = jan(10, `0${i}:00:00`.slice(-8));
  events.push(
    feedEvent('call.presented', `${callId}-p`, presentedAt, {
      callId,
      channel: '999',
      queue: 'primary',
      btTransferSeconds: btSeconds,
    }),
    feedEvent('call.answered', `${callId}-a`, plusMs(presentedAt, answerMs - btSeconds * 1000), { callId }),
  );
});
// A second answer of the first call, later: ignored.
events.push(feedEvent('call.answered', 'c999-0-a2', jan(10, '00:05:00'), { callId: 'c999-0' }));
// Two 999 calls abandoned (one assessed anyway: not counted) and one still waiting at the end of
// 31 January, presented 120 s before it: 13 999 calls presented, 2 abandoned.
for (const i of [0, 1]) {
  events.push(
    feedEvent('call.presented', `c999-ab-${i}-p`, jan(11, `1${i}:00:00`), {
      callId: `c999-ab-${i}`,
      channel: '999',
      queue: 'primary',
      btTransferSeconds: 2,
    }),
    feedEvent('call.abandoned', `c999-ab-${i}-x`, jan(11, `1${i}:00:08`), { callId: `c999-ab-${i}` }),
  );
}
events.push(
  feedEvent('call.assessed', 'c999-ab-0-as', jan(11, '10:01:00'), {
    callId: 'c999-ab-0',
    structuredRiskAssessment: true,
    vulnerable: false,
    repeatVictim: true,
  }),
  feedEvent('call.presented', 'c999-w-p', jan(31, '23:58:00'), {
    callId: 'c999-w',
    channel: '999',
    queue: 'primary',
    btTransferSeconds: 1,
  }),
);

// 101 calls, 13 presented. Answered (5): after 30, 50 and 70 s on the primary queue, and after 200
// and 400 s having been transferred at 60 s. Median wait (N/2 = 2.5): bin [70, 71) holds the 3rd,
// so 70 + (2.5 - 2)/1 = 70.5 s. Abandoned: after 40 s (under Avon and Somerset's 60 s: not
// counted), 90 s (primary), 300 s (transferred first: secondary) and 65 s (primary: its transfer
// is timed before it was presented, flagged and ignored): 3 counted, 1 of them on the secondary
// queue. Transferred: the two answered, the one abandoned there and one still waiting (4).
const call101 = (
  callId: string,
  presentedAt: string,
  steps: { transferredAfterMs?: number; answeredAfterMs?: number; abandonedAfterMs?: number },
) => {
  events.push(feedEvent('call.presented', `${callId}-p`, presentedAt, { callId, channel: '101', queue: 'primary' }));
  if (steps.transferredAfterMs !== undefined)
    events.push(
      feedEvent('call.transferred', `${callId}-t`, plusMs(presentedAt, steps.transferredAfterMs), {
        callId,
        toQueue: 'secondary',
      }),
    );
  if (steps.answeredAfterMs !== undefined)
    events.push(feedEvent('call.answered', `${callId}-a`, plusMs(presentedAt, steps.answeredAfterMs), { callId }));
  if (steps.abandonedAfterMs !== undefined)
    events.push(feedEvent('call.abandoned', `${callId}-x`, plusMs(presentedAt, steps.abandonedAfterMs), { callId }));
};
call101('c101-1', jan(12, '09:00:00'), { answeredAfterMs: 30_000 });
call101('c101-2', jan(12, '10:00:00'), { answeredAfterMs: 50_000 });
call101('c101-3', jan(12, '11:00:00'), { answeredAfterMs: 70_000 });
call101('c101-4', jan(12, '12:00:00'), { transferredAfterMs: 60_000, answeredAfterMs: 200_000 });
call101('c101-5', jan(12, '13:00:00'), { transferredAfterMs: 60_000, answeredAfterMs: 400_000 });
call101('c101-ab-1', jan(12, '14:00:00'), { abandonedAfterMs: 40_000 });
call101('c101-ab-2', jan(12, '15:00:00'), { abandonedAfterMs: 90_000 });
call101('c101-ab-3', jan(12, '16:00:00'), { transferredAfterMs: 60_000, abandonedAfterMs: 300_000 });
call101('c101-ab-4', jan(12, '17:00:00'), { transferredAfterMs: -1_000, abandonedAfterMs: 65_000 });
// Waiting at the end of 31 January: two on the primary queue (for 600 and 300 s), one
// transferred (for 1,200 s). One presented on 30 January and never resolved is lost data, not waiting.
call101('c101-w-1', jan(31, '23:50:00'), {});
call101('c101-w-2', jan(31, '23:55:00'), {});
call101('c101-w-3', jan(31, '23:40:00'), { transferredAfterMs: 300_000 });
call101('c101-lost', jan(30, '12:00:00'), {});

// Assessments of answered calls (15 answered: 10 999, 5 101). Counted: 999 calls 0 (THRIVE), 1
// (THRIVE, repeat victim), 2 (neither), 3 (assessed twice: the latest, THRIVE, is on record) and
// 101 call 1 (THRIVE, repeat victim): 5 assessed, 4 with THRIVE, 2 repeat victims. 101 call 2's
// assessment is timed before its answer: not counted.
const assess = (callId: string, id: string, at: string, structuredRiskAssessment: boolean, repeatVictim: boolean) =>
  events.push(
    feedEvent('call.assessed', id, at, { callId, structuredRiskAssessment, vulnerable: false, repeatVictim }),
  );
assess('c999-0', 'as-0', jan(10, '00:03:00'), true, false);
assess('c999-1', 'as-1', jan(10, '01:03:00'), true, true);
assess('c999-2', 'as-2', jan(10, '02:03:00'), false, false);
assess('c999-3', 'as-3a', jan(10, '03:02:00'), false, true);
assess('c999-3', 'as-3b', jan(10, '03:04:00'), true, false);
assess('c101-1', 'as-101-1', jan(12, '09:03:00'), true, true);
assess('c101-2', 'as-101-2', jan(12, '10:00:20'), true, true);

// Incidents graded on 15 January; Avon and Somerset's targets are the defaults (emergency 15 min
// urban, 20 rural; priority 60). Emergency urban: within 15 at exactly 15:00 and at 9 min; late at
// 15:00.001, and at 17 min from its first (priority) grading, regraded emergency before the
// arrival; one not attended: 2 of 5. Emergency rural: 20 min within, 20:30 late: 1 of 2. Priority
// urban: 59 min; and one graded emergency, regraded priority, attended at 45 min and regraded
// emergency after the arrival (too late to count): 2 of 2. Priority rural: 90 min: 0 of 1.
// Scheduled and no-deployment incidents have no target. Late on 31 January, not attended: graded
// emergency urban at 23:40 (overdue by midnight: 1 more due) and at 23:55, emergency rural at 23:45
// (15 and 20 minutes to go: not yet due, left out). Emergency urban: 2 of 6; headline: 5 of 11.
const incident = (
  id: string,
  gradings: readonly (readonly [time: string, grade: 'emergency' | 'priority' | 'scheduled' | 'no-deployment'])[],
  area: 'urban' | 'rural',
  attendedAt?: string,
) => {
  gradings.forEach(([time, grade], i) =>
    events.push(feedEvent('incident.graded', `${id}-g${i}`, jan(15, time), { incidentId: id, grade, area })),
  );
  if (attendedAt) events.push(feedEvent('incident.attended', `${id}-at`, jan(15, attendedAt), { incidentId: id }));
};
incident('i-eu-1', [['10:00:00', 'emergency']], 'urban', '10:15:00');
incident('i-eu-2', [['11:00:00', 'emergency']], 'urban', '11:15:00.001');
incident('i-eu-3', [['12:00:00', 'emergency']], 'urban', '12:09:00');
incident(
  'i-eu-4',
  [
    ['13:00:00', 'priority'],
    ['13:05:00', 'emergency'],
  ],
  'urban',
  '13:17:00',
);
incident('i-eu-5', [['14:00:00', 'emergency']], 'urban');
incident('i-er-1', [['10:00:00', 'emergency']], 'rural', '10:20:00');
incident('i-er-2', [['10:30:00', 'emergency']], 'rural', '10:50:30');
incident('i-pu-1', [['09:00:00', 'priority']], 'urban', '09:59:00');
incident(
  'i-pu-2',
  [
    ['09:00:00', 'emergency'],
    ['09:10:00', 'priority'],
    ['10:00:00', 'emergency'],
  ],
  'urban',
  '09:45:00',
);
incident('i-pr-1', [['16:00:00', 'priority']], 'rural', '17:30:00');
incident('i-s-1', [['16:00:00', 'scheduled']], 'urban', '19:00:00');
incident('i-n-1', [['16:00:00', 'no-deployment']], 'urban');
for (const [id, time, area] of [
  ['i-eu-late-1', '23:40:00', 'urban'],
  ['i-eu-late-2', '23:55:00', 'urban'],
  ['i-er-late', '23:45:00', 'rural'],
] as const) {
  events.push(feedEvent('incident.graded', `${id}-g`, jan(31, time), { incidentId: id, grade: 'emergency', area }));
}

// Circulations. Arrested in January: North after 3, 40 and 219 days (median 40), South after 0
// and 106 days (median 53): overall median of 0, 3, 40, 106, 219 is 40. Open at the end of
// January: North 3 (one of them with an arrest timed before its circulation: flagged, ignored),
// South 1 (circulated in 2022); a South circulation cancelled in January is in neither figure.
const circulation = (
  id: string,
  team: string,
  circulatedAt: string,
  closed?: { type: 'wanted.arrested' | 'wanted.cancelled'; at: string },
) => {
  events.push(
    feedEvent('wanted.circulated', `${id}-c`, circulatedAt, {
      circulationId: id,
      personRef: `person-${id}`,
      risk: 'medium',
      team,
    }),
  );
  if (closed?.type === 'wanted.arrested')
    events.push(feedEvent('wanted.arrested', `${id}-a`, closed.at, { circulationId: id }));
  if (closed?.type === 'wanted.cancelled')
    events.push(feedEvent('wanted.cancelled', `${id}-x`, closed.at, { circulationId: id, reason: 'no longer wanted' }));
};
circulation('w-n-1', 'North', '2023-12-01T10:00:00Z', { type: 'wanted.arrested', at: jan(10, '10:00:00') });
circulation('w-n-2', 'North', jan(2, '10:00:00'), { type: 'wanted.arrested', at: jan(5, '10:00:00') });
circulation('w-n-3', 'North', '2023-06-15T10:00:00+01:00', { type: 'wanted.arrested', at: jan(20, '10:00:00') });
circulation('w-n-4', 'North', '2023-11-01T10:00:00Z');
circulation('w-n-5', 'North', jan(25, '10:00:00'));
circulation('w-n-6', 'North', jan(4, '10:00:00'), { type: 'wanted.arrested', at: jan(3, '10:00:00') });
circulation('w-s-1', 'South', jan(10, '08:00:00'), { type: 'wanted.arrested', at: jan(10, '20:00:00') });
circulation('w-s-2', 'South', '2023-10-01T10:00:00+01:00', { type: 'wanted.arrested', at: jan(15, '10:00:00') });
circulation('w-s-3', 'South', jan(12, '10:00:00'), { type: 'wanted.cancelled', at: jan(20, '10:00:00') });
circulation('w-s-4', 'South', '2022-01-01T10:00:00Z');

// Domestic-abuse crimes recorded in January: 8; a consideration recorded for 5 of them (one
// recorded twice, counted once). A consideration for a crime never recorded counts nowhere.
for (let i = 1; i <= 8; i++)
  events.push(
    feedEvent('domestic-abuse.crime-recorded', `da-${i}-r`, jan(20, `1${i - 1}:00:00`), { crimeRef: `da-${i}` }),
  );
const considered = (crime: string, id: string, at: string, value: boolean) =>
  events.push(feedEvent('protection.considered', id, at, { crimeRef: crime, considered: value }));
considered('da-1', 'pc-1', jan(21, '10:00:00'), true);
considered('da-2', 'pc-2', jan(21, '10:00:00'), true);
considered('da-3', 'pc-3a', jan(21, '10:00:00'), false);
considered('da-3', 'pc-3b', jan(22, '10:00:00'), true);
considered('da-4', 'pc-4', jan(21, '10:00:00'), false);
considered('da-5', 'pc-5', jan(21, '10:00:00'), false);
considered('da-9', 'pc-9', jan(21, '10:00:00'), true);

// Searches recorded on 18 January: 8. Outcomes (as last corrected): arrest 2 (one by amendment),
// no further action 3, community resolution 1, none recorded 1, an unknown wording 1 (other).
// Outcome linked to the object: 3 (one by amendment). Usable ethnicity: 6 (four self-defined
// White or Black, one "Not stated" with officer-defined Asian, one with only officer-defined
// White); not recorded: a vehicle search without person details, and an unknown self-defined
// string (never White, whatever the officer recorded).
const search = (
  recordId: string,
  time: string,
  fields: {
    outcome: string | null;
    linked: boolean | null;
    self: string | null;
    officer: string | null;
    type?: 'Person search' | 'Vehicle search';
  },
) =>
  events.push(
    feedEvent('stop-search.recorded', `${recordId}-r`, jan(18, time), {
      recordId,
      searchType: fields.type ?? 'Person search',
      legislation: 'Misuse of Drugs Act 1971 (section 23)',
      objectOfSearch: 'Controlled drugs',
      outcome: fields.outcome,
      outcomeLinkedToObject: fields.linked,
      gender: fields.type === 'Vehicle search' ? null : 'Male',
      ageRange: fields.type === 'Vehicle search' ? null : '18-24',
      selfDefinedEthnicity: fields.self,
      officerDefinedEthnicity: fields.officer,
      latitude: null,
      longitude: null,
      removalOfMoreThanOuterClothing: null,
    }),
  );
const NFA = 'A no further action disposal';
search('s-1', '10:00:00', {
  outcome: NFA,
  linked: false,
  self: 'White - English/Welsh/Scottish/Northern Irish/British',
  officer: 'White',
});
search('s-2', '11:00:00', { outcome: 'Arrest', linked: true, self: 'White - Irish', officer: 'White' });
search('s-3', '12:00:00', {
  outcome: NFA,
  linked: false,
  self: 'White - Any other White background',
  officer: 'White',
});
events.push(
  feedEvent('stop-search.amended', 's-3-m', jan(19, '09:00:00'), {
    recordId: 's-3',
    outcome: 'Arrest',
    outcomeLinkedToObject: true,
  }),
);
search('s-4', '13:00:00', {
  outcome: 'Community resolution',
  linked: true,
  self: 'Black/African/Caribbean/Black British - African',
  officer: 'Black',
});
search('s-5', '14:00:00', { outcome: NFA, linked: false, self: 'Other ethnic group - Not stated', officer: 'Asian' });
search('s-6', '15:00:00', { outcome: null, linked: null, self: null, officer: null, type: 'Vehicle search' });
search('s-7', '16:00:00', { outcome: 'Something else entirely', linked: false, self: 'Martian', officer: 'White' });
search('s-8', '17:00:00', { outcome: NFA, linked: false, self: null, officer: 'White' });

let harness: PipelineHarness;
let published: PublishOutcome;

beforeAll(async () => {
  harness = await PipelineHarness.start();
  await harness.offerEvents(shuffled(events, seededRandom(2024)), 40);
  await harness.drain();
  await expectNothingRejected(harness);
  published = await publishSnapshot({ ...harness.publishDeps, disclosure: { maxSuppressedCount: 0 } }, FORCE, AS_OF);
});
afterAll(async () => {
  await harness.close();
});

const monthOf = (measureId: string, breakdown: Readonly<Record<string, string>> | null = null) =>
  measureOf(published, measureId, 'month', breakdown);
const asAt = (measureId: string, breakdown: Readonly<Record<string, string>> | null = null) =>
  measureOf(published, measureId, 'as-at', breakdown);
const percent = (numerator: number, denominator: number) => ({
  value: (numerator / denominator) * 100,
  numerator,
  denominator,
  flags: [],
});

describe('a snapshot produced through the pipeline', () => {
  it('holds every measure of measures.md, and only those, for each of its periods', () => {
    expect([...new Set(MEASURES.map((definition) => definition.id))].sort()).toEqual([...SPEC_MEASURE_IDS].sort());
    expect([...new Set(published.document.measures.map((entry) => entry.measureId))].sort()).toEqual(
      [...SPEC_MEASURE_IDS].sort(),
    );
    for (const definition of MEASURES) {
      for (const kind of definition.periods.filter((k) => k !== 'custom')) {
        const entry = published.document.measures.find(
          (m) => m.measureId === definition.id && m.period.kind === kind && m.breakdown === null,
        );
        expect(entry, `${definition.id} for ${kind}`).toBeDefined();
      }
    }
    // A month of data fills the month and as-at periods; longer periods say what is missing.
    const month = published.document.measures.filter((m) => m.period.kind === 'month' && m.breakdown === null);
    expect(month.filter((m) => m.flags.includes('[x]'))).toEqual([]);
    const rolling = published.document.measures.find(
      (m) => m.measureId === 'calls.999.answered_within_10s' && m.period.kind === 'rolling-12m',
    );
    expect(rolling).toMatchObject({ value: null, flags: ['[x]'] });
    expect(rolling?.missingMonths).toHaveLength(11);
  });

  it('times 999 calls: bands, mean, grouped median and 90th percentile, abandonment', () => {
    expect(monthOf('calls.999.answered_within_10s')).toMatchObject(percent(6, 10));
    expect(monthOf('calls.999.band.under_10s')).toMatchObject({ numerator: 6, denominator: 10 });
    expect(monthOf('calls.999.band.10_to_under_60s')).toMatchObject({ numerator: 3, denominator: 10 });
    expect(monthOf('calls.999.band.60s_or_more')).toMatchObject({ numerator: 1, denominator: 10 });
    expect(monthOf('calls.999.mean_answer_seconds')).toMatchObject({
      value: 180.699 / 10,
      numerator: 180.699,
      denominator: 10,
    });
    expect(monthOf('calls.999.median_answer_seconds')).toMatchObject({
      value: 9,
      numerator: null,
      denominator: 10,
      flags: [],
    });
    expect(monthOf('calls.999.p90_answer_seconds')).toMatchObject({
      value: 46,
      numerator: null,
      denominator: 10,
      flags: [],
    });
    expect(monthOf('calls.999.abandoned_rate')).toMatchObject(percent(2, 13));
  });

  it('times 101 calls and counts abandonment from 60 s, on either queue and on the secondary one', () => {
    expect(monthOf('calls.101.median_wait_seconds')).toMatchObject({
      value: 70.5,
      numerator: null,
      denominator: 5,
      flags: [],
    });
    expect(monthOf('calls.101.abandoned_rate')).toMatchObject(percent(3, 13));
    expect(monthOf('calls.101.secondary_abandoned_rate')).toMatchObject(percent(1, 4));
  });

  it('counts the calls waiting at the end of the day and the longest wait, per channel and queue', () => {
    expect(asAt('calls.live.waiting')).toMatchObject({ value: 4, numerator: 4, denominator: null, flags: [] });
    expect(asAt('calls.live.waiting', { channel: '999', queue: 'primary' })).toMatchObject({ value: 1 });
    expect(asAt('calls.live.waiting', { channel: '101', queue: 'primary' })).toMatchObject({ value: 2 });
    expect(asAt('calls.live.waiting', { channel: '101', queue: 'secondary' })).toMatchObject({ value: 1 });
    expect(asAt('calls.live.longest_wait_seconds')).toMatchObject({ value: 1_200, denominator: 4, flags: [] });
    expect(asAt('calls.live.longest_wait_seconds', { channel: '999', queue: 'primary' })).toMatchObject({
      value: 120,
      denominator: 1,
    });
    expect(asAt('calls.live.longest_wait_seconds', { channel: '101', queue: 'primary' })).toMatchObject({
      value: 600,
      denominator: 2,
    });
    expect(asAt('calls.live.longest_wait_seconds', { channel: '101', queue: 'secondary' })).toMatchObject({
      value: 1_200,
      denominator: 1,
    });
  });

  it('counts risk assessments and repeat victims of answered calls, leaving out assessments that cannot count', () => {
    expect(monthOf('calls.risk_assessed_rate')).toMatchObject(percent(4, 15));
    expect(monthOf('calls.repeat_victim_identified_rate')).toMatchObject(percent(2, 5));
  });

  it('judges attendance per grade and area against the force targets, under the grade in force at attendance, counting only what was due by the end of the day', () => {
    expect(monthOf('incidents.attended_within_target')).toMatchObject(percent(5, 11));
    expect(monthOf('incidents.attended_within_target', { grade: 'emergency', area: 'urban' })).toMatchObject(
      percent(2, 6),
    );
    expect(monthOf('incidents.attended_within_target', { grade: 'emergency', area: 'rural' })).toMatchObject(
      percent(1, 2),
    );
    expect(monthOf('incidents.attended_within_target', { grade: 'priority', area: 'urban' })).toMatchObject(
      percent(2, 2),
    );
    expect(monthOf('incidents.attended_within_target', { grade: 'priority', area: 'rural' })).toMatchObject(
      percent(0, 1),
    );
  });

  it('gives the median days to arrest per team with the circulations still open', () => {
    expect(monthOf('wanted.median_days_to_arrest')).toMatchObject({
      value: 40,
      numerator: null,
      denominator: 5,
      extra: { openAtPeriodEnd: 4 },
      flags: [],
    });
    expect(monthOf('wanted.median_days_to_arrest', { team: 'North' })).toMatchObject({
      value: 40,
      denominator: 3,
      extra: { openAtPeriodEnd: 3 },
    });
    expect(monthOf('wanted.median_days_to_arrest', { team: 'South' })).toMatchObject({
      value: 53,
      denominator: 2,
      extra: { openAtPeriodEnd: 1 },
    });
    expect(asAt('wanted.open')).toMatchObject({ value: 4, flags: [] });
  });

  it('counts domestic-abuse crimes with a consideration recorded', () => {
    expect(monthOf('protection.considered_recorded_rate')).toMatchObject(percent(5, 8));
  });

  it('gives the search outcome rates, the find rate and the ethnicity recorded rate', () => {
    expect(monthOf('stopsearch.outcome_rate.arrest')).toMatchObject(percent(2, 8));
    expect(monthOf('stopsearch.outcome_rate.no-further-action')).toMatchObject(percent(3, 8));
    expect(monthOf('stopsearch.outcome_rate.community-resolution')).toMatchObject(percent(1, 8));
    expect(monthOf('stopsearch.outcome_rate.not-recorded')).toMatchObject(percent(1, 8));
    expect(monthOf('stopsearch.outcome_rate.other')).toMatchObject(percent(1, 8));
    for (const outcome of ['drugs-warning', 'penalty-notice', 'caution', 'summons', 'article-found']) {
      expect(monthOf(`stopsearch.outcome_rate.${outcome}`)).toMatchObject(percent(0, 8));
    }
    expect(monthOf('stopsearch.find_rate')).toMatchObject(percent(3, 8));
    expect(monthOf('stopsearch.ethnicity_recorded_rate')).toMatchObject(percent(6, 8));
  });
});
