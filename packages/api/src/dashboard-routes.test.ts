import type { LiveData, MeasurePageData, ScorecardData } from '@rollcall/dashboard';
import { storeFeedBatch } from '@rollcall/store';
import { testIngestContext } from '@rollcall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiTestKit,
  createApiTestKit,
  FORCE,
  publishExamples,
  type PublishedExamples,
} from '../test/api-test-kit.ts';

/** The dashboard's data routes without a browser (tests/browser/ drives the pages in Chromium). */
let kit: ApiTestKit;
let published: PublishedExamples;
const NOW = Date.now();

beforeAll(async () => {
  kit = await createApiTestKit();
  published = await publishExamples(kit.db);
  // Three 999 calls presented in the last minutes and not answered: waiting now.
  const inputs = [1, 2, 3].map((i) => ({
    eventId: `live-${i}-p`,
    feed: 'call-handling',
    type: 'call.presented',
    forceId: FORCE,
    occurredAt: new Date(NOW - i * 60_000).toISOString(),
    schemaVersion: 1,
    payload: { callId: `live-${i}`, channel: '999', queue: 'primary', btTransferSeconds: 0 },
  }));
  await storeFeedBatch(kit.db, { feed: 'call-handling', inputs, source: 'test' }, testIngestContext());
});
afterAll(async () => {
  await kit?.close();
});

const get = async <T>(url: string, token: 'reader' | 'everything' = 'reader') => {
  const response = await kit.app.inject({ method: 'GET', url, headers: kit.bearer(token) });
  return { status: response.statusCode, body: response.json() as T };
};

describe('dashboard data routes', () => {
  it('gives the scorecard in one answer: forces by name, headline cards by feed, the published status as a colour', async () => {
    const { status, body } = await get<ScorecardData>(`/dashboard/data/scorecard?forceId=${FORCE}`);
    expect(status).toBe(200);
    expect(body.force).toEqual({ id: FORCE, name: 'Avon and Somerset' });
    expect(body.forces.map((force) => force.name)).toEqual(['Avon and Somerset', 'Wiltshire']);
    expect(body.admin).toBe(false);
    expect(body.snapshot?.snapshotId).toBe(published.april);
    const calls = body.feeds.find((feed) => feed.feed === 'call-handling');
    expect(calls?.title).toBe('Call handling');
    expect(calls?.cards.some((card) => card.measureId.startsWith('calls.live.'))).toBe(false);
    // No rolling 12 months of data: not available, no colour.
    const share = calls?.cards.find((card) => card.measureId === 'calls.999.answered_within_10s');
    expect(share).toMatchObject({ periodId: 'rolling-12m', value: null, rag: null });
    expect((await get<ScorecardData>(`/dashboard/data/scorecard?forceId=${FORCE}`, 'everything')).body.admin).toBe(
      true,
    );
  });

  it('draws one point per month end on the measure page, with the revisions of the latest figure', async () => {
    const { body } = await get<MeasurePageData>(
      `/dashboard/data/measures/calls.999.answered_within_10s?forceId=${FORCE}`,
    );
    expect(body.measure).toMatchObject({
      id: 'calls.999.answered_within_10s',
      unit: 'percent',
      periods: ['month', 'rolling-12m', 'financial-year', 'custom'],
    });
    expect(body.measure.method).toContain('value = numerator ÷ denominator × 100');
    // March as revised (75%: 90 of 120), then April (90%: 45 of 50): the latest revision of each month.
    expect(body.monthly.map((point) => [point.periodEnd, point.value, point.revision, point.provisional])).toEqual([
      ['2022-03-31', 75, 2, false],
      ['2022-04-30', 90, 1, false],
    ]);
    expect(body.revisions.map((row) => [row.snapshotId, row.reasons])).toEqual([
      [published.april, ['first publication']],
    ]);
  });

  it('reads calls waiting now from call state; small counts suppressed unless the token has read:ops', async () => {
    const reader = await get<LiveData>(`/dashboard/data/live?forceId=${FORCE}`);
    expect(reader.body.queues[0]).toEqual({
      channel: '999',
      queue: 'primary',
      waiting: null,
      longestWaitSeconds: null,
      suppressed: true,
    });
    const staff = await get<LiveData>(`/dashboard/data/live?forceId=${FORCE}`, 'everything');
    expect(staff.body.queues[0]).toMatchObject({ channel: '999', queue: 'primary', waiting: 3, suppressed: false });
    expect(staff.body.queues[0]?.longestWaitSeconds).toBeGreaterThanOrEqual(180);
    expect(staff.body.queues.map((queue) => `${queue.channel} ${queue.queue}`)).toEqual([
      '999 primary',
      '101 primary',
      '101 secondary',
    ]);
  });

  it('names the configured forces for an unknown one, and 404s an unknown measure', async () => {
    const force = await get<{ message: string }>('/dashboard/data/scorecard?forceId=kent');
    expect(force.status).toBe(400);
    expect(force.body.message).toBe(
      'invalid query parameters: forceId: must be one of the configured forces (avon-and-somerset, wiltshire)',
    );
    const measure = await get<{ message: string }>(`/dashboard/data/measures/calls.nope?forceId=${FORCE}`);
    expect(measure.status).toBe(404);
    expect((await kit.app.inject({ method: 'GET', url: '/dashboard/data/scorecard' })).statusCode).toBe(401);
  });
});
