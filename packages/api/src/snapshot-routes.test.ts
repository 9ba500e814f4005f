import { SNAPSHOT_CSV_COLUMNS } from '@rollcall/publishing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiTestKit,
  createApiTestKit,
  csvRecords,
  FORCE,
  OTHER_FORCE,
  publishExamples,
  type PublishedExamples,
} from '../test/api-test-kit.ts';
import { SNAPSHOT_LIST_CSV_COLUMNS } from './snapshot-routes.ts';

let kit: ApiTestKit;
let ids: PublishedExamples;

beforeAll(async () => {
  kit = await createApiTestKit();
  ids = await publishExamples(kit.db);
});
afterAll(async () => {
  await kit?.close();
});

const get = (url: string, headers: Record<string, string> = {}) =>
  kit.app.inject({ method: 'GET', url, headers: { ...kit.bearer('reader'), ...headers } });

type Entry = { measureId: string; period: { id: string }; value: number | null; flags: string[]; suppressed?: string };
const entry = (document: { measures: Entry[] }, measureId: string, periodId: string) =>
  document.measures.find((m) => m.measureId === measureId && m.period.id === periodId);

describe('GET /v1/snapshots/latest', () => {
  it('returns the head revision of the latest date as JSON', async () => {
    const response = await get(`/v1/snapshots/latest?forceId=${FORCE}`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const body = response.json();
    expect(body).toMatchObject({ snapshotId: ids.april, forceId: FORCE, asOf: '2022-04-30', revision: 1 });
    expect(entry(body, 'calls.999.answered_within_10s', 'month')).toMatchObject({ value: 90 });
  });

  it('gives the snapshot CSV with ?format=csv, with a header row and one row per entry', async () => {
    const response = await get(`/v1/snapshots/latest?forceId=${FORCE}&format=csv`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe(`attachment; filename="${ids.april}.csv"`);
    const { header, records } = csvRecords(response.body);
    expect(header).toEqual([...SNAPSHOT_CSV_COLUMNS]);
    const row = records.find((r) => r.measure_id === 'calls.999.answered_within_10s' && r.period_id === 'month');
    expect(row).toMatchObject({
      snapshot_id: ids.april,
      as_of: '2022-04-30',
      value: '90',
      numerator: '45',
      denominator: '50',
      unit: 'percent',
    });
  });

  it('gives CSV for Accept: text/csv and JSON when JSON is preferred', async () => {
    const csv = await get(`/v1/snapshots/latest?forceId=${FORCE}`, { accept: 'text/csv' });
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers.vary).toBe('Accept');
    const json = await get(`/v1/snapshots/latest?forceId=${FORCE}`, { accept: 'application/json, text/csv;q=0.5' });
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    const forced = await get(`/v1/snapshots/latest?forceId=${FORCE}&format=json`, { accept: 'text/csv' });
    expect(forced.headers['content-type']).toMatch(/^application\/json/);
  });

  it('is 404 for a force without snapshots', async () => {
    const response = await get(`/v1/snapshots/latest?forceId=${OTHER_FORCE}`);
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({
      error: 'not_found',
      message: `no snapshot has been published for force ${OTHER_FORCE}`,
    });
  });

  it('requires forceId when several forces are configured', async () => {
    const response = await get('/v1/snapshots/latest');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'bad_request', details: [{ in: 'query', path: 'forceId' }] });
  });

  it('is 400 for a bad forceId or format', async () => {
    const badForce = await get('/v1/snapshots/latest?forceId=Avon%20and%20Somerset');
    expect(badForce.statusCode).toBe(400);
    expect(badForce.json().details).toEqual([
      { in: 'query', path: 'forceId', message: expect.stringContaining('force slug') },
    ]);
    const badFormat = await get(`/v1/snapshots/latest?forceId=${FORCE}&format=xml`);
    expect(badFormat.statusCode).toBe(400);
    expect(badFormat.json().details).toEqual([{ in: 'query', path: 'format', message: 'must be json or csv' }]);
  });
});

describe('GET /v1/snapshots/:snapshotId', () => {
  it('returns any revision, superseded ones included', async () => {
    const first = await get(`/v1/snapshots/${ids.marchR1}`);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({ snapshotId: ids.marchR1, revision: 1, supersedes: null });
    expect(entry(first.json(), 'calls.999.answered_within_10s', 'month')).toMatchObject({ value: 90 });
    const second = (await get(`/v1/snapshots/${ids.marchR2}`)).json();
    expect(second).toMatchObject({ revision: 2, supersedes: ids.marchR1 });
    expect(entry(second, 'calls.999.answered_within_10s', 'month')).toMatchObject({ value: 75, flags: ['[r]'] });
    expect(entry(second, 'dvpo.applied', 'month')).toMatchObject({ value: null, suppressed: '[c]' });
  });

  it('gives CSV with flags', async () => {
    const response = await get(`/v1/snapshots/${ids.marchR2}?format=csv`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-disposition']).toBe(`attachment; filename="${ids.marchR2}.csv"`);
    const { records } = csvRecords(response.body);
    expect(
      records.find((r) => r.measure_id === 'calls.999.answered_within_10s' && r.period_id === 'month'),
    ).toMatchObject({ value: '75', flags: '[r]' });
    expect(records.find((r) => r.measure_id === 'dvpo.applied' && r.period_id === 'month')).toMatchObject({
      value: '',
      numerator: '',
      flags: '[c]',
    });
  });

  it('is 404 for an id that is well formed but unknown', async () => {
    const response = await get(`/v1/snapshots/${FORCE}_1999-01-31_r1`);
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: 'not_found', message: `no snapshot ${FORCE}_1999-01-31_r1` });
  });

  it('is 400 for an id that is not a snapshot id', async () => {
    const response = await get('/v1/snapshots/not-a-snapshot');
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: 'bad_request', details: [{ in: 'params', path: 'snapshotId' }] });
  });
});

describe('GET /v1/snapshots', () => {
  it('lists every revision newest date first, with the latest-revision mark', async () => {
    const response = await get(`/v1/snapshots?forceId=${FORCE}`);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ forceId: FORCE, from: null, to: null, count: 3 });
    expect(
      body.snapshots.map((s: { snapshotId: string; isLatestRevision: boolean }) => [s.snapshotId, s.isLatestRevision]),
    ).toEqual([
      [ids.april, true],
      [ids.marchR2, true],
      [ids.marchR1, false],
    ]);
    expect(body.snapshots[1]).toMatchObject({
      asOf: '2022-03-31',
      revision: 2,
      supersedes: ids.marchR1,
      generatedAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
    });
  });

  it('filters by date range and limit', async () => {
    const march = (await get(`/v1/snapshots?forceId=${FORCE}&from=2022-03-01&to=2022-03-31`)).json();
    expect(march.snapshots.map((s: { snapshotId: string }) => s.snapshotId)).toEqual([ids.marchR2, ids.marchR1]);
    const one = (await get(`/v1/snapshots?forceId=${FORCE}&limit=1`)).json();
    expect(one.count).toBe(1);
    const none = (await get(`/v1/snapshots?forceId=${OTHER_FORCE}`)).json();
    expect(none).toMatchObject({ count: 0, snapshots: [] });
  });

  it('pages with a total and a cursor instead of truncating (issue 13)', async () => {
    const first = await get(`/v1/snapshots?forceId=${FORCE}&limit=2`);
    const page1 = first.json();
    expect(page1).toMatchObject({ count: 2, total: 3, nextCursor: expect.any(String) });
    expect(first.headers['x-total-count']).toBe('3');
    const page2 = (await get(`/v1/snapshots?forceId=${FORCE}&limit=2&cursor=${page1.nextCursor}`)).json();
    expect(page2).toMatchObject({ count: 1, total: 3, nextCursor: null });
    expect([...page1.snapshots, ...page2.snapshots].map((s: { snapshotId: string }) => s.snapshotId)).toEqual([
      ids.april,
      ids.marchR2,
      ids.marchR1,
    ]);
    const csv = await get(`/v1/snapshots?forceId=${FORCE}&limit=1&format=csv`);
    expect(csv.headers['x-total-count']).toBe('3');
    expect(csv.headers.link).toMatch(
      /^<\/v1\/snapshots\?forceId=avon-and-somerset&limit=1&format=csv&cursor=[A-Za-z0-9_-]+>; rel="next"$/,
    );
    const bad = await get(`/v1/snapshots?cursor=${Buffer.from('{"asOf":1}').toString('base64url')}`);
    expect(bad.statusCode).toBe(400);
    expect(bad.json().details).toEqual([
      { in: 'query', path: 'cursor', message: 'not a cursor this route gave out; pass nextCursor back unchanged' },
    ]);
  });

  it('lists all forces without forceId', async () => {
    const response = await get('/v1/snapshots');
    expect(response.json()).toMatchObject({ forceId: null, count: 3 });
  });

  it('gives one CSV row per snapshot', async () => {
    const response = await get(`/v1/snapshots?forceId=${FORCE}&from=2022-03-01`, { accept: 'text/csv' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="snapshots_${FORCE}_from-2022-03-01.csv"`,
    );
    const { header, records } = csvRecords(response.body);
    expect(header).toEqual([...SNAPSHOT_LIST_CSV_COLUMNS]);
    expect(records).toHaveLength(3);
    expect(records[2]).toMatchObject({
      snapshot_id: ids.marchR1,
      force_id: FORCE,
      as_of: '2022-03-31',
      revision: '1',
      supersedes: '',
      is_latest_revision: 'false',
    });
  });

  it('is 400 for each kind of bad parameter, naming it', async () => {
    const cases: [string, string, string][] = [
      ['from=2022-02-30', 'from', 'must be a calendar date YYYY-MM-DD'],
      ['to=31/03/2022', 'to', 'must be a calendar date YYYY-MM-DD'],
      ['from=2022-04-01&to=2022-03-01', 'from', 'from must not be after to'],
      ['limit=0', 'limit', 'must be a whole number from 1 to 1000'],
      ['limit=1001', 'limit', 'must be a whole number from 1 to 1000'],
      ['limit=ten', 'limit', 'must be a whole number from 1 to 1000'],
      ['forceid=avon-and-somerset', 'forceid', 'unknown parameter'],
      [`forceId=${FORCE}&forceId=${OTHER_FORCE}`, 'forceId', 'must be given once'],
    ];
    for (const [query, path, message] of cases) {
      const response = await get(`/v1/snapshots?${query}`);
      expect(response.statusCode, query).toBe(400);
      const body = response.json();
      expect(body.error).toBe('bad_request');
      expect(body.details, query).toContainEqual({ in: 'query', path, message });
      expect(body.message).toContain(path);
    }
  });
});
