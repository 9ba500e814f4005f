import type { AggregateRead, EntryExplanation } from '@rollcall/publishing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiTestKit,
  createApiTestKit,
  FORCE,
  publishExamples,
  type PublishedExamples,
} from '../test/api-test-kit.ts';

let kit: ApiTestKit;
let ids: PublishedExamples;

beforeAll(async () => {
  kit = await createApiTestKit();
  ids = await publishExamples(kit.db);
});
afterAll(async () => {
  await kit?.close();
});

const get = (url: string) => kit.app.inject({ method: 'GET', url, headers: kit.bearer('reader') });
const sumOf = (reads: readonly AggregateRead[]) =>
  reads.flatMap((read) => read.rows).reduce((sum, row) => sum + row.value, 0);

describe('GET /v1/snapshots/:snapshotId/explain', () => {
  it('explains an entry so that its value can be derived again, with what changed since the revision before', async () => {
    const response = await get(
      `/v1/snapshots/${ids.marchR2}/explain?measureId=calls.999.answered_within_10s&period=month`,
    );
    expect(response.statusCode).toBe(200);
    const body = response.json<EntryExplanation>();
    expect(body.snapshot).toMatchObject({ snapshotId: ids.marchR2, revision: 2, supersedes: ids.marchR1 });
    expect(body.published).toEqual({ value: 75, numerator: 90, denominator: 120, flags: ['[r]'] });
    const numerator = sumOf(body.derivation!.reads.filter((read) => read.role.includes('numerator')));
    const denominator = sumOf(body.derivation!.reads.filter((read) => read.role.includes('denominator')));
    expect((numerator / denominator) * 100).toBe(75);
    expect(body.revision!.differences).toEqual([
      { field: 'value', before: 90, after: 75, change: -15 },
      { field: 'denominator', before: 100, after: 120, change: 20 },
    ]);
    // The 20 late calls of 2 March: a call.presented and a call.answered each.
    expect(body.revision!.eventsArrived).toMatchObject({ total: 40 });
    expect(body.revision!.eventsArrived!.events.filter((event) => event.type === 'call.presented')).toHaveLength(20);
  });

  it('takes the month and the headline by default', async () => {
    const response = await get(`/v1/snapshots/${ids.april}/explain?measureId=calls.999.answered_within_10s`);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      period: { id: 'month' },
      breakdown: null,
      published: { value: 90 },
      revision: null,
    });
  });

  it('says a suppressed entry is suppressed, and gives none of its counts or events', async () => {
    const response = await get(`/v1/snapshots/${ids.marchR2}/explain?measureId=dvpo.applied&period=month`);
    expect(response.statusCode).toBe(200);
    const body = response.json<EntryExplanation>();
    expect(body).toMatchObject({
      published: { value: null, numerator: null, flags: ['[c]'] },
      suppressed: { flag: '[c]' },
      derivation: null,
      sincePublication: null,
    });
    expect(response.body).not.toMatch(/dvpo-2022|S-[123]|psn_/);
    expect(response.body).not.toContain('"events":3');
  });

  it('is 404 for a snapshot that does not exist', async () => {
    const response = await get(`/v1/snapshots/${FORCE}_2021-01-31_r1/explain?measureId=dvpo.applied`);
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: 'not_found', message: `no snapshot ${FORCE}_2021-01-31_r1` });
  });

  it('is 400 naming the valid choices for a measure, period or breakdown the snapshot lacks', async () => {
    const measure = await get(`/v1/snapshots/${ids.marchR2}/explain?measureId=calls.999.nonsense`);
    expect(measure.statusCode).toBe(400);
    expect(measure.json()).toMatchObject({ error: 'bad_request', details: [{ in: 'query', path: 'measureId' }] });
    expect(measure.json().message).toMatch(
      /^invalid query parameters: measureId: "calls.999.nonsense" is not in the snapshot; valid: calls.999.answered_within_10s, /,
    );
    const period = await get(`/v1/snapshots/${ids.marchR2}/explain?measureId=dvpo.applied&period=as-at`);
    expect(period.statusCode).toBe(400);
    expect(period.json().details).toEqual([
      {
        in: 'query',
        path: 'period',
        message: '"as-at" is not in the snapshot; valid: month, rolling-12m, financial-year',
      },
    ]);
    const breakdown = await get(
      `/v1/snapshots/${ids.marchR2}/explain?measureId=dvpo.applied&breakdown=grade=emergency`,
    );
    expect(breakdown.statusCode).toBe(400);
    expect(breakdown.json().details).toEqual([
      {
        in: 'query',
        path: 'breakdown',
        message: '"grade=emergency" is not in the snapshot; valid: (none: the headline)',
      },
    ]);
    const missing = await get(`/v1/snapshots/${ids.marchR2}/explain`);
    expect(missing.statusCode).toBe(400);
    expect(missing.json().details).toEqual([{ in: 'query', path: 'measureId', message: expect.any(String) }]);
  });
});
