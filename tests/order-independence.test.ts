import { createCalendar } from '@rollcall/calendar';
import { FEEDS, type FeedEvent } from '@rollcall/contract';
import { replayAggregates } from '@rollcall/store';
import { Random, simulateForceMonth } from '@rollcall/simulator';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDerivedState, resetPipelineTables } from './support/derived-state.ts';
import { feedEvent } from './support/event-streams.ts';
import { PipelineHarness } from './support/pipeline-harness.ts';

const FORCE = 'avon-and-somerset';
const AS_OF = '2024-01-31';

/**
 * What the simulated month has little or none of: corrections, audits, protection cases with
 * breaches, and events a valid lifecycle cannot hold (flagged, not counted, whatever order they
 * come in). January 2024 is GMT, so these times are London times.
 */
const AWKWARD: FeedEvent[] = [
  // Stop and search: two corrections of one record, one timed before the record itself (it still
  // applies: a correction is a correction whatever its time), the later wins a field both set;
  // two dip-sample reviews of another, the later counts; a review of a record never received.
  feedEvent('stop-search.recorded', 'ss-1-r', '2024-01-10T10:00:00Z', {
    recordId: 'ss-1',
    searchType: 'Person search',
    legislation: 'Misuse of Drugs Act 1971 (section 23)',
    objectOfSearch: 'Controlled drugs',
    outcome: 'A no further action disposal',
    outcomeLinkedToObject: false,
    gender: 'Male',
    ageRange: '18-24',
    selfDefinedEthnicity: null,
    officerDefinedEthnicity: 'White',
    latitude: null,
    longitude: null,
    removalOfMoreThanOuterClothing: false,
  }),
  feedEvent('stop-search.amended', 'ss-1-m1', '2024-01-09T10:00:00Z', {
    recordId: 'ss-1',
    outcome: 'Community resolution',
    selfDefinedEthnicity: 'Asian/Asian British - Indian',
  }),
  feedEvent('stop-search.amended', 'ss-1-m2', '2024-01-12T10:00:00Z', {
    recordId: 'ss-1',
    outcome: 'Arrest',
    outcomeLinkedToObject: true,
  }),
  feedEvent('stop-search.recorded', 'ss-2-r', '2024-01-31T23:59:00Z', {
    recordId: 'ss-2',
    searchType: 'Vehicle search',
    legislation: null,
    objectOfSearch: 'Stolen goods',
    outcome: null,
    outcomeLinkedToObject: null,
    gender: null,
    ageRange: null,
    selfDefinedEthnicity: null,
    officerDefinedEthnicity: null,
    latitude: null,
    longitude: null,
    removalOfMoreThanOuterClothing: null,
  }),
  feedEvent('stop-search.grounds-reviewed', 'ss-1-g1', '2024-01-20T10:00:00Z', {
    recordId: 'ss-1',
    reasonableGroundsRecorded: false,
  }),
  feedEvent('stop-search.grounds-reviewed', 'ss-1-g2', '2024-01-25T10:00:00Z', {
    recordId: 'ss-1',
    reasonableGroundsRecorded: true,
  }),
  feedEvent('stop-search.grounds-reviewed', 'ss-3-g', '2024-01-25T10:00:00Z', {
    recordId: 'ss-3',
    reasonableGroundsRecorded: true,
  }),
  // Protection cases: a notice breached twice (once before it was authorised: not counted), an
  // order granted and breached twice, an order refused and "breached", a decision without an
  // application, a decision timed before its application, and two decisions of one application.
  feedEvent('dvpn.authorised', 'pc-1-n', '2024-01-05T10:00:00Z', { caseRef: 'pc-1', subjectRef: 'subject-1' }),
  feedEvent('dvpn.breached', 'pc-1-nb0', '2024-01-05T09:00:00Z', { caseRef: 'pc-1' }),
  feedEvent('dvpn.breached', 'pc-1-nb1', '2024-01-06T09:00:00Z', { caseRef: 'pc-1' }),
  feedEvent('dvpo.applied', 'pc-1-o', '2024-01-06T10:00:00Z', { caseRef: 'pc-1', subjectRef: 'subject-1' }),
  feedEvent('dvpo.decided', 'pc-1-d', '2024-01-07T10:00:00Z', { caseRef: 'pc-1', outcome: 'granted' }),
  feedEvent('dvpo.breached', 'pc-1-ob1', '2024-01-15T10:00:00Z', { caseRef: 'pc-1' }),
  feedEvent('dvpo.breached', 'pc-1-ob2', '2024-01-31T23:30:00Z', { caseRef: 'pc-1' }),
  feedEvent('dvpo.applied', 'pc-2-o', '2024-01-08T10:00:00Z', { caseRef: 'pc-2', subjectRef: 'subject-2' }),
  feedEvent('dvpo.decided', 'pc-2-d', '2024-01-09T10:00:00Z', { caseRef: 'pc-2', outcome: 'refused' }),
  feedEvent('dvpo.breached', 'pc-2-ob', '2024-01-10T10:00:00Z', { caseRef: 'pc-2' }),
  feedEvent('dvpo.decided', 'pc-3-d', '2024-01-09T10:00:00Z', { caseRef: 'pc-3', outcome: 'granted' }),
  feedEvent('dvpo.applied', 'pc-4-o', '2024-01-20T10:00:00Z', { caseRef: 'pc-4', subjectRef: 'subject-4' }),
  feedEvent('dvpo.decided', 'pc-4-d', '2024-01-19T10:00:00Z', { caseRef: 'pc-4', outcome: 'granted' }),
  feedEvent('dvpo.applied', 'pc-5-o', '2024-01-21T10:00:00Z', { caseRef: 'pc-5', subjectRef: 'subject-5' }),
  feedEvent('dvpo.decided', 'pc-5-d1', '2024-01-22T10:00:00Z', { caseRef: 'pc-5', outcome: 'withdrawn' }),
  feedEvent('dvpo.decided', 'pc-5-d2', '2024-01-23T10:00:00Z', { caseRef: 'pc-5', outcome: 'granted' }),
  // Calls: a second answer, an assessment timed before the answer, a transfer timed before the
  // call, and an answer timed before it.
  feedEvent('call.presented', 'aw-c1-p', '2024-01-15T10:00:00Z', {
    callId: 'aw-c1',
    channel: '999',
    queue: 'primary',
    btTransferSeconds: 2,
  }),
  feedEvent('call.answered', 'aw-c1-a1', '2024-01-15T10:00:07Z', { callId: 'aw-c1' }),
  feedEvent('call.answered', 'aw-c1-a2', '2024-01-15T10:00:04Z', { callId: 'aw-c1' }),
  feedEvent('call.assessed', 'aw-c1-as', '2024-01-15T10:00:03Z', {
    callId: 'aw-c1',
    structuredRiskAssessment: true,
    vulnerable: true,
    repeatVictim: true,
  }),
  feedEvent('call.presented', 'aw-c2-p', '2024-01-16T10:00:00Z', { callId: 'aw-c2', channel: '101', queue: 'primary' }),
  feedEvent('call.transferred', 'aw-c2-t', '2024-01-16T09:59:00Z', { callId: 'aw-c2', toQueue: 'secondary' }),
  feedEvent('call.abandoned', 'aw-c2-x', '2024-01-16T10:02:00Z', { callId: 'aw-c2' }),
  feedEvent('call.presented', 'aw-c3-p', '2024-01-17T10:00:00Z', { callId: 'aw-c3', channel: '101', queue: 'primary' }),
  feedEvent('call.answered', 'aw-c3-a', '2024-01-17T09:59:00Z', { callId: 'aw-c3' }),
  // Incidents: regraded before and after attendance, attended twice, and graded late on the
  // as-of day and not attended.
  feedEvent('incident.graded', 'aw-i1-g1', '2024-01-18T10:00:00Z', {
    incidentId: 'aw-i1',
    grade: 'priority',
    area: 'urban',
  }),
  feedEvent('incident.graded', 'aw-i1-g2', '2024-01-18T10:05:00Z', {
    incidentId: 'aw-i1',
    grade: 'emergency',
    area: 'urban',
  }),
  feedEvent('incident.attended', 'aw-i1-at1', '2024-01-18T10:14:00Z', { incidentId: 'aw-i1' }),
  feedEvent('incident.attended', 'aw-i1-at2', '2024-01-18T10:20:00Z', { incidentId: 'aw-i1' }),
  feedEvent('incident.graded', 'aw-i1-g3', '2024-01-18T10:30:00Z', {
    incidentId: 'aw-i1',
    grade: 'scheduled',
    area: 'urban',
  }),
  feedEvent('incident.graded', 'aw-i2-g', '2024-01-31T23:55:00Z', {
    incidentId: 'aw-i2',
    grade: 'emergency',
    area: 'rural',
  }),
  // Circulations: an arrest timed before the circulation (ignored: the circulation stays open),
  // and one arrested, then cancelled (the earlier closing counts).
  feedEvent('wanted.circulated', 'aw-w1-c', '2024-01-10T10:00:00Z', {
    circulationId: 'aw-w1',
    personRef: 'person-aw-1',
    risk: 'high',
    team: 'Bristol',
  }),
  feedEvent('wanted.arrested', 'aw-w1-a', '2024-01-09T10:00:00Z', { circulationId: 'aw-w1' }),
  feedEvent('wanted.circulated', 'aw-w2-c', '2023-06-30T23:30:00Z', {
    circulationId: 'aw-w2',
    personRef: 'person-aw-1',
    risk: 'low',
    team: 'Bristol',
  }),
  feedEvent('wanted.risk-changed', 'aw-w2-r', '2023-09-01T10:00:00Z', {
    circulationId: 'aw-w2',
    risk: 'high',
    top20: true,
  }),
  feedEvent('wanted.arrested', 'aw-w2-a', '2024-01-02T10:00:00Z', { circulationId: 'aw-w2' }),
  feedEvent('wanted.cancelled', 'aw-w2-x', '2024-01-03T10:00:00Z', {
    circulationId: 'aw-w2',
    reason: 'arrested already',
  }),
];

/**
 * A small but complete month (every feed, every lifecycle, circulations years old) and the
 * awkward cases. Scale 0.008 (about 1,700 simulated events, down from 2,060 at 0.01) pays for the
 * replay each run now ends with: the test takes no longer than it did before either was added.
 */
const EVENTS: FeedEvent[] = (() => {
  const month = simulateForceMonth({ forceId: FORCE, month: '2024-01', scale: 0.008, seed: 42 });
  return [...FEEDS.flatMap((feed) => month[feed]), ...AWKWARD];
})();

const calendar = createCalendar('Europe/London');

let harness: PipelineHarness;

beforeAll(async () => {
  harness = await PipelineHarness.start();
});
afterAll(async () => {
  await harness.close();
});

/**
 * Delivers the event set in the given order through the queues: most of it, then (after the
 * snapshot was published once) the delayed part, as late events. Returns what the pipeline
 * derived, the content hash of the final published snapshot, and what a replay of the stored
 * events then found to correct (nothing, when live processing was right).
 */
async function deliver(main: readonly FeedEvent[], delayed: readonly FeedEvent[], batchSize: number) {
  await resetPipelineTables(harness.db);
  await harness.offerEvents(main, batchSize);
  await harness.drain();
  let published = await harness.publish(FORCE, AS_OF);
  if (delayed.length > 0) {
    await harness.offerEvents(delayed, batchSize);
    await harness.drain();
    const revisions = await harness.reviseStale();
    published = revisions.at(-1) ?? published;
  }
  const state = await readDerivedState(harness.db);
  const replayed = await replayAggregates(harness.db, calendar);
  return {
    state,
    contentHash: published.document.contentHash,
    revision: published.revision,
    replayChangedRows: replayed.changedRows,
  };
}

describe('order independence through the queues, workers and database', () => {
  it(`derives the same state and snapshot from ${EVENTS.length} events in any order, duplicated and delayed`, async () => {
    const inOrder = await deliver(
      [...EVENTS].sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : 1)),
      [],
      1_000,
    );
    expect(inOrder.state.aggregates.length).toBeGreaterThan(100);
    expect(inOrder.state.entities.length).toBeGreaterThan(500);
    expect(inOrder.replayChangedRows).toBe(0);
    // The awkward cases are flagged, not silently applied (nor silently dropped).
    const flagsOf = (kind: string, entityId: string) =>
      inOrder.state.entities.find((e) => e.kind === kind && e.entity_id === entityId)?.flags;
    expect({
      'pc-1': flagsOf('protection-case', 'pc-1'),
      'pc-2': flagsOf('protection-case', 'pc-2'),
      'pc-3': flagsOf('protection-case', 'pc-3'),
      'pc-4': flagsOf('protection-case', 'pc-4'),
      'pc-5': flagsOf('protection-case', 'pc-5'),
      'aw-c1': flagsOf('call', 'aw-c1'),
      'aw-c2': flagsOf('call', 'aw-c2'),
      'aw-c3': flagsOf('call', 'aw-c3'),
      'aw-i1': flagsOf('incident', 'aw-i1'),
      'aw-w1': flagsOf('circulation', 'aw-w1'),
      'aw-w2': flagsOf('circulation', 'aw-w2'),
      'ss-3': flagsOf('search', 'ss-3'),
    }).toEqual({
      'pc-1': ['dvpn.breached without an earlier dvpn.authorised: not counted'],
      'pc-2': ['dvpo.breached without an earlier granted order: not counted'],
      'pc-3': ['awaiting dvpn.authorised or dvpo.applied', 'dvpo.decided without an earlier dvpo.applied: not counted'],
      'pc-4': ['dvpo.decided without an earlier dvpo.applied: not counted'],
      'pc-5': ['more than one dvpo.decided: the earliest counts, later ones are ignored'],
      'aw-c1': [
        'call.assessed timed before call.answered: not counted',
        'more than one call.answered or call.abandoned: the earliest counts, later ones are ignored',
      ],
      'aw-c2': ['call.transferred timed before call.presented: ignored'],
      'aw-c3': ['answer or abandonment timed before call.presented: ignored'],
      'aw-i1': ['more than one incident.attended: the earliest counts, later ones are ignored'],
      'aw-w1': ['closed before wanted.circulated: ignored'],
      'aw-w2': ['more than one wanted.arrested or wanted.cancelled: the earliest counts, later ones are ignored'],
      'ss-3': ['awaiting stop-search.recorded: nothing counted until it arrives'],
    });

    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 7, max: 1_000 }), // from many jobs per transaction to one job per transaction
        fc.double({ min: 0, max: 0.3, noNaN: true }),
        fc.double({ min: 0, max: 0.1, noNaN: true }),
        async (seed, batchSize, delayedShare, duplicateShare) => {
          const random = new Random(seed);
          const shuffled = random.shuffle([...EVENTS]);
          const duplicates = shuffled.filter(() => random.chance(duplicateShare));
          const delivery = random.shuffle([...shuffled, ...duplicates]);
          const main: FeedEvent[] = [];
          const delayed: FeedEvent[] = [];
          for (const event of delivery) (random.chance(delayedShare) ? delayed : main).push(event);
          const run = await deliver(main, delayed, batchSize);
          expect(run.state.aggregates).toEqual(inOrder.state.aggregates);
          expect(run.state.monthlyAggregates).toEqual(inOrder.state.monthlyAggregates);
          expect(run.state.entities).toEqual(inOrder.state.entities);
          expect(run.state.feedStats).toEqual(inOrder.state.feedStats);
          // The revision published after the late events has exactly the in-order content.
          expect(run.contentHash).toBe(inOrder.contentHash);
          expect(run.replayChangedRows).toBe(0);
        },
      ),
      { numRuns: 5, seed: 20_240_131 },
    );
  });
});
