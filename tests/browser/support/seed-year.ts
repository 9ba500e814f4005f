import { lastOfMonth } from '@rollcall/calendar';
import { FEEDS, type FeedEvent } from '@rollcall/contract';
import type { Db } from '@rollcall/db';
import { createSilentLogger } from '@rollcall/logger';
import { publishSnapshot, type PublishDeps } from '@rollcall/publishing';
import { simulateForceMonth } from '@rollcall/simulator';
import { storeFeedBatch } from '@rollcall/store';
import { testIngestContext } from '@rollcall/testing';

/**
 * A year of simulated events for a force and two of its most similar group, published as the
 * nightly run would at each month end (so every chart has one complete point per month), then a
 * month-to-date snapshot (the provisional point), revised by late slow 999 calls (the revision
 * history) that put the rolling 12 months' 999 answer share just under its 90% target while its
 * interval still reaches it: an amber card. Small volume (1% of Avon and Somerset's, 0.2% for
 * the other two, whose snapshots are published for the last day only: the MSG chart's bars).
 */

export const SEED_FORCE = 'avon-and-somerset';
/** Two of Avon and Somerset's most similar group (reference data), so the MSG chart has bars. */
export const SEED_MSG_FORCES = ['essex', 'kent'] as const;
/** The year: April 2023 to March 2024, then 15 April 2024 as the month-to-date day. */
export const SEED_MONTHS = Array.from({ length: 12 }, (_, index) => {
  const month = 4 + index;
  return month <= 12 ? `2023-${String(month).padStart(2, '0')}` : `2024-${String(month - 12).padStart(2, '0')}`;
});
export const SEED_MONTH_TO_DATE = '2024-04-15';
export const AMBER_MEASURE = 'calls.999.answered_within_10s';

export interface SeededYear {
  readonly forceId: string;
  readonly monthEnds: readonly string[];
  readonly monthToDate: string;
  /** The month to date's revision 2, the latest snapshot. */
  readonly latestSnapshotId: string;
  readonly lateCalls: number;
}

const BATCH = 5_000;

async function store(db: Db, events: readonly FeedEvent[]): Promise<void> {
  const context = testIngestContext();
  for (const feed of FEEDS) {
    const ofFeed = events.filter((event) => event.feed === feed);
    for (let start = 0; start < ofFeed.length; start += BATCH) {
      await storeFeedBatch(db, { feed, inputs: ofFeed.slice(start, start + BATCH), source: 'test' }, context);
    }
  }
}

/**
 * Call handling and stop and search only: the wanted-persons simulation carries four years of
 * circulation history a month, which made the year take minutes to store and publish.
 */
const simulate = (forceId: string, month: string, seed: number): FeedEvent[] =>
  forceId === SEED_FORCE
    ? Object.values(
        simulateForceMonth({ forceId, month, seed, scale: 0.01, feeds: ['call-handling', 'stop-search'] }),
      ).flat()
    : simulateForceMonth({ forceId, month, seed, scale: 0.002, feeds: ['call-handling'] })['call-handling'];

/** `count` 999 calls on the month-to-date day, answered in 30 s, delivered late. */
function slowCalls(forceId: string, count: number): FeedEvent[] {
  const events: FeedEvent[] = [];
  for (let i = 0; i < count; i++) {
    const callId = `late-${i}`;
    const base = { feed: 'call-handling', forceId, schemaVersion: 1 } as const;
    events.push({
      ...base,
      eventId: `${callId}-p`,
      type: 'call.presented',
      occurredAt: `${SEED_MONTH_TO_DATE}T09:00:00Z`,
      payload: { callId, channel: '999', queue: 'primary', btTransferSeconds: 0 },
    } as FeedEvent);
    events.push({
      ...base,
      eventId: `${callId}-a`,
      type: 'call.answered',
      occurredAt: `${SEED_MONTH_TO_DATE}T09:00:30Z`,
      payload: { callId },
    } as FeedEvent);
  }
  return events;
}

export async function seedYear(db: Db): Promise<SeededYear> {
  const forces = [SEED_FORCE, ...SEED_MSG_FORCES];
  const months = [...SEED_MONTHS, SEED_MONTH_TO_DATE.slice(0, 7)];
  for (const [forceIndex, forceId] of forces.entries()) {
    for (const [monthIndex, month] of months.entries())
      await store(db, simulate(forceId, month, 1_000 * forceIndex + monthIndex));
  }
  const deps: PublishDeps = {
    db,
    snapshotDir: null,
    disclosure: { maxSuppressedCount: 4 },
    timeZone: 'Europe/London',
    log: createSilentLogger(),
  };
  const monthEnds = SEED_MONTHS.map((month) => lastOfMonth(`${month}-01`));
  for (const asOf of monthEnds) await publishSnapshot(deps, SEED_FORCE, asOf);
  for (const forceId of SEED_MSG_FORCES) await publishSnapshot(deps, forceId, SEED_MONTH_TO_DATE);
  const first = await publishSnapshot(deps, SEED_FORCE, SEED_MONTH_TO_DATE);
  const entry = first.document.measures.find(
    (m) => m.measureId === AMBER_MEASURE && m.period.id === 'rolling-12m' && m.breakdown === null,
  );
  if (!entry || entry.numerator === null || entry.denominator === null)
    throw new Error(`the seed has no rolling-12m ${AMBER_MEASURE}`);
  // Enough slow calls to take the share to just under 90%: a/(n + x) < 0.9 ⇔ x > a/0.9 − n.
  const lateCalls = Math.max(1, Math.floor(entry.numerator / 0.9 - entry.denominator) + 1);
  await store(db, slowCalls(SEED_FORCE, lateCalls));
  const revised = await publishSnapshot(deps, SEED_FORCE, SEED_MONTH_TO_DATE);
  if (!revised.created || revised.revision !== 2) throw new Error('the late calls did not revise the month to date');
  return {
    forceId: SEED_FORCE,
    monthEnds,
    monthToDate: SEED_MONTH_TO_DATE,
    latestSnapshotId: revised.snapshotId,
    lateCalls,
  };
}
