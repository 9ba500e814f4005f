import { findSnapshot } from '@rollcall/db';
import { createSilentLogger } from '@rollcall/logger';
import { MEASURES, type PublishedMeasure } from '@rollcall/measures';
import { keyValuePairs, SNAPSHOT_CSV_COLUMNS } from '@rollcall/publishing';
import type { FastifyInstance } from 'fastify';
import {
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  sql,
  type UnknownRow,
} from 'kysely';
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
import { buildApi } from './build-api.ts';
import { defaultPeriodOf, isPublishedPeriod } from './measure-series.ts';
import { MeasureId } from './request-schemas.ts';
import { MAX_SERIES_POINTS } from './series-routes.ts';

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
const SERIES = '/v1/measures/calls.999.answered_within_10s/series';

describe('defaultPeriodOf', () => {
  it('prefers rolling 12 months, then as-at, then the month', () => {
    expect(defaultPeriodOf({ periods: ['month', 'rolling-12m', 'financial-year', 'custom'] })).toBe('rolling-12m');
    expect(defaultPeriodOf({ periods: ['as-at'] })).toBe('as-at');
    expect(defaultPeriodOf({ periods: ['financial-year', 'month'] })).toBe('month');
    expect(defaultPeriodOf({ periods: ['financial-year'] })).toBe('financial-year');
    const defaults = Object.fromEntries(MEASURES.map((measure) => [measure.id, defaultPeriodOf(measure)]));
    expect(defaults['calls.999.answered_within_10s']).toBe('rolling-12m');
    expect(defaults['wanted.on_pnc_over_6_months']).toBe('as-at');
  });

  it('knows which periods a measure is published for', () => {
    expect(isPublishedPeriod({ periods: ['as-at'] }, 'month')).toBe(false);
    expect(isPublishedPeriod({ periods: ['month', 'custom'] }, 'custom:q1')).toBe(true);
    expect(isPublishedPeriod({ periods: ['month'] }, 'custom:q1')).toBe(false);
  });
});

describe('MeasureId', () => {
  it('accepts every measure of the catalogue', () => {
    for (const measure of MEASURES) expect(MeasureId.safeParse(measure.id).success, measure.id).toBe(true);
  });
});

describe('GET /v1/measures/:measureId/series', () => {
  it('gives the head revision of each date, oldest first', async () => {
    const response = await get(`${SERIES}?forceId=${FORCE}&period=month`);
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({
      forceId: FORCE,
      measureId: 'calls.999.answered_within_10s',
      unit: 'percent',
      direction: 'higher-is-better',
      periodId: 'month',
      breakdown: null,
      from: null,
      to: null,
    });
    expect(body.title).toEqual(expect.any(String));
    expect(body.points).toHaveLength(2);
    expect(body.points[0]).toMatchObject({
      asOf: '2022-03-31',
      snapshotId: ids.marchR2,
      revision: 2,
      published: true,
      periodFrom: '2022-03-01',
      periodTo: '2022-03-31',
      value: 75,
      numerator: 90,
      denominator: 120,
      flags: ['[r]'],
      target: 90,
      status: 'not met',
      suppressed: null,
    });
    expect(body.points[0].ci).toEqual({ lower: expect.any(Number), upper: expect.any(Number) });
    expect(body.points[1]).toMatchObject({
      asOf: '2022-04-30',
      snapshotId: ids.april,
      value: 90,
      numerator: 45,
      denominator: 50,
      status: 'met',
    });
  });

  it('uses the default period of the measure when none is named', async () => {
    const body = (await get(`${SERIES}?forceId=${FORCE}`)).json();
    expect(body.periodId).toBe('rolling-12m');
    // Twelve months need twelve months of data: not available, never zero.
    expect(body.points.map((p: { value: number | null; flags: string[] }) => [p.value, p.flags[0]])).toEqual([
      [null, '[x]'],
      [null, '[x]'],
    ]);
    const stock = (await get(`/v1/measures/wanted.on_pnc_over_6_months/series?forceId=${FORCE}`)).json();
    expect(stock.periodId).toBe('as-at');
  });

  it('shows suppressed counts as published', async () => {
    const body = (await get(`/v1/measures/dvpo.applied/series?forceId=${FORCE}&period=month&to=2022-03-31`)).json();
    expect(body.points).toEqual([
      expect.objectContaining({
        value: null,
        numerator: null,
        suppressed: '[c]',
        flags: expect.arrayContaining(['[c]']),
      }),
    ]);
  });

  it('filters by date range', async () => {
    const april = (await get(`${SERIES}?forceId=${FORCE}&period=month&from=2022-04-01`)).json();
    expect(april.points.map((p: { asOf: string }) => p.asOf)).toEqual(['2022-04-30']);
    const none = await get(`${SERIES}?forceId=${FORCE}&from=2023-01-01&to=2023-12-31`);
    expect(none.statusCode).toBe(200);
    expect(none.json().points).toEqual([]);
  });

  it('gives one breakdown, named in any key order', async () => {
    const body = (
      await get(
        `/v1/measures/calls.live.waiting/series?forceId=${FORCE}&breakdown=${encodeURIComponent('queue=primary;channel=999')}`,
      )
    ).json();
    expect(body).toMatchObject({ periodId: 'as-at', breakdown: 'channel=999;queue=primary' });
    expect(body.points.map((p: { published: boolean; value: number | null }) => [p.published, p.value])).toEqual([
      [true, 0],
      [true, 0],
    ]);
    const csv = await get(
      `/v1/measures/calls.live.waiting/series?forceId=${FORCE}&breakdown=${encodeURIComponent('channel=999;queue=primary')}&format=csv`,
    );
    expect(csvRecords(csv.body).records.map((r) => r.breakdown)).toEqual([
      'channel=999;queue=primary',
      'channel=999;queue=primary',
    ]);
  });

  it('is 400 for a breakdown the measure is never published for, naming the published ones (issue 13)', async () => {
    const headlineOnly = await get(`${SERIES}?forceId=${FORCE}&period=month&breakdown=queue=primary`);
    expect(headlineOnly.statusCode).toBe(400);
    expect(headlineOnly.json()).toMatchObject({
      error: 'bad_request',
      details: [
        {
          in: 'query',
          path: 'breakdown',
          message: `calls.999.answered_within_10s (month) is published without breakdowns for ${FORCE}; leave breakdown out`,
        },
      ],
    });
    const typo = await get(
      `/v1/measures/calls.live.waiting/series?forceId=${FORCE}&breakdown=${encodeURIComponent('channel=99;queue=primary')}`,
    );
    expect(typo.statusCode).toBe(400);
    const [detail] = typo.json().details;
    expect(detail.message).toMatch(
      /^channel=99;queue=primary is not a breakdown of calls.live.waiting \(as-at\); published: /,
    );
    expect(detail.message).toContain('channel=999;queue=primary');
  });

  it('answers a range without snapshots with an empty series, whatever the breakdown', async () => {
    const none = await get(
      `/v1/measures/calls.live.waiting/series?forceId=${FORCE}&breakdown=${encodeURIComponent('channel=999;queue=primary')}&from=2030-01-01`,
    );
    expect(none.statusCode).toBe(200);
    expect(none.json().points).toEqual([]);
    const typo = await get(
      `/v1/measures/calls.live.waiting/series?forceId=${FORCE}&breakdown=channel=99&from=2030-01-01`,
    );
    expect(typo.statusCode).toBe(200);
  });

  it('gives one CSV row per point, in the snapshot CSV columns', async () => {
    const response = await get(`${SERIES}?forceId=${FORCE}&period=month&format=csv`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toBe(
      `attachment; filename="${FORCE}_calls.999.answered_within_10s_month.csv"`,
    );
    const { header, records } = csvRecords(response.body);
    expect(header).toEqual([...SNAPSHOT_CSV_COLUMNS]);
    expect(records.map((r) => [r.as_of, r.snapshot_id, r.value, r.numerator, r.denominator, r.flags])).toEqual([
      ['2022-03-31', ids.marchR2, '75', '90', '120', '[r]'],
      ['2022-04-30', ids.april, '90', '45', '50', ''],
    ]);
    const accept = await get(`${SERIES}?forceId=${FORCE}&period=month`, { accept: 'text/csv' });
    expect(accept.headers['content-type']).toBe('text/csv; charset=utf-8');
  });

  it('is 404 for an unknown measure or a force without snapshots', async () => {
    const measure = await get(`/v1/measures/calls.999.answered_within_99s/series?forceId=${FORCE}`);
    expect(measure.statusCode).toBe(404);
    expect(measure.json()).toEqual({ error: 'not_found', message: 'no measure calls.999.answered_within_99s' });
    const force = await get(`${SERIES}?forceId=${OTHER_FORCE}`);
    expect(force.statusCode).toBe(404);
    expect(force.json()).toEqual({
      error: 'not_found',
      message: `no snapshot has been published for force ${OTHER_FORCE}`,
    });
  });

  it('is 400 for a range of more than 1,000 snapshots, and answers 1,000 in full', async () => {
    // 1,001 head snapshots of Kent, one a day from 1 January 2019 to 27 September 2021: rows only,
    // since the route refuses before it reads a document.
    await sql`
      insert into snapshots (snapshot_id, force_id, as_of, revision, content_hash, generated_at, document)
      select 'kent_' || to_char(day, 'YYYY-MM-DD') || '_r1', 'kent', day, 1, 'x', day + interval '1 day 3 hours', '{"measures": []}'::jsonb
      from generate_series(date '2019-01-01', date '2019-01-01' + ${MAX_SERIES_POINTS}::int, interval '1 day') as day`.execute(
      kit.db,
    );
    await sql`
      insert into snapshot_heads (force_id, as_of, snapshot_id, revision, content_hash)
      select force_id, as_of, snapshot_id, revision, content_hash from snapshots where force_id = 'kent'`.execute(
      kit.db,
    );

    const tooMany = await get(`${SERIES}?forceId=kent&period=month`);
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json()).toEqual({
      error: 'bad_request',
      message: 'invalid query parameters: from: more than 1000 snapshots in the range; narrow it with from and to',
      details: [
        { in: 'query', path: 'from', message: 'more than 1000 snapshots in the range; narrow it with from and to' },
      ],
    });
    expect((await get(`${SERIES}?forceId=kent&period=month&format=csv`)).statusCode).toBe(400);

    // One day fewer is exactly the limit: every point, none cut off.
    const limit = await get(`${SERIES}?forceId=kent&period=month&to=2021-09-26`);
    expect(limit.statusCode).toBe(200);
    const points = limit.json().points as { asOf: string; published: boolean }[];
    expect(points).toHaveLength(MAX_SERIES_POINTS);
    expect([points[0]?.asOf, points.at(-1)?.asOf]).toEqual(['2019-01-01', '2021-09-26']);
    expect(points.every((point) => !point.published)).toBe(true);
  });

  it('is 400 for each kind of bad parameter, naming it', async () => {
    const cases: [string, string, string, string][] = [
      [
        '/v1/measures/Calls%20999/series',
        `forceId=${FORCE}`,
        'measureId',
        'must be a measure id such as calls.999.answered_within_10s',
      ],
      [
        SERIES,
        `forceId=${FORCE}&period=weekly`,
        'period',
        'must be month, rolling-12m, financial-year, as-at or custom:<id>',
      ],
      [
        '/v1/measures/wanted.on_pnc_over_6_months/series',
        `forceId=${FORCE}&period=month`,
        'period',
        'wanted.on_pnc_over_6_months is published for as-at',
      ],
      [
        SERIES,
        `forceId=${FORCE}&breakdown=queue`,
        'breakdown',
        'must be key=value pairs joined by ";", e.g. grade=emergency;area=urban',
      ],
      [SERIES, `forceId=${FORCE}&from=2022-13-01`, 'from', 'must be a calendar date YYYY-MM-DD'],
      [SERIES, `forceId=${FORCE}&from=2022-05-01&to=2022-04-01`, 'from', 'from must not be after to'],
      [SERIES, `forceId=${FORCE}&format=pdf`, 'format', 'must be json or csv'],
      [SERIES, '', 'forceId', `required when several forces are configured (${FORCE}, ${OTHER_FORCE})`],
    ];
    for (const [path, query, parameter, message] of cases) {
      const response = await get(`${path}?${query}`);
      expect(response.statusCode, `${path}?${query}`).toBe(400);
      expect(response.json().details, `${path}?${query}`).toContainEqual(
        expect.objectContaining({ path: parameter, message }),
      );
    }
  });
});

describe('the series of every published entry', () => {
  it('gives each entry of the head documents as published, found by measure, period and breakdown', async () => {
    const heads = await Promise.all(
      [ids.marchR2, ids.april].map(
        async (id) =>
          (await findSnapshot(kit.db, id))!.document as unknown as { asOf: string; measures: PublishedMeasure[] },
      ),
    );
    const keys = new Map<string, { measureId: string; periodId: string; breakdown: string }>();
    for (const head of heads) {
      for (const entry of head.measures) {
        const key = {
          measureId: entry.measureId,
          periodId: entry.period.id,
          breakdown: keyValuePairs(entry.breakdown),
        };
        keys.set(JSON.stringify(key), key);
      }
    }
    expect(keys.size).toBeGreaterThan(50);
    for (const { measureId, periodId, breakdown } of keys.values()) {
      const url = `/v1/measures/${measureId}/series?forceId=${FORCE}&period=${encodeURIComponent(periodId)}${breakdown ? `&breakdown=${encodeURIComponent(breakdown)}` : ''}`;
      const response = await get(url);
      expect(response.statusCode, url).toBe(200);
      const points = response.json().points as Record<string, unknown>[];
      expect(
        points.map((point) => point.asOf),
        url,
      ).toEqual(heads.map((head) => head.asOf));
      heads.forEach((head, index) => {
        const entry = head.measures.find(
          (m) => m.measureId === measureId && m.period.id === periodId && keyValuePairs(m.breakdown) === breakdown,
        );
        const expected = entry
          ? {
              published: true,
              periodFrom: entry.period.from,
              periodTo: entry.period.to,
              value: entry.value,
              numerator: entry.numerator,
              denominator: entry.denominator,
              flags: entry.flags,
              suppressed: entry.suppressed ?? null,
            }
          : { published: false, value: null, flags: ['[x]'] };
        expect(points[index], `${url} ${head.asOf}`).toMatchObject(expected);
      });
    }
  });
});

/** Counts the bytes of the rows PostgreSQL sends back, as JSON text: what the API process parses. */
class ReceivedRows implements KyselyPlugin {
  bytes = 0;
  transformQuery(args: PluginTransformQueryArgs) {
    return args.node;
  }
  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    this.bytes += JSON.stringify(args.result.rows).length;
    return args.result;
  }
}

describe('the series of large snapshots', () => {
  let large: ApiTestKit;
  let app: FastifyInstance;
  const received = new ReceivedRows();

  beforeAll(async () => {
    large = await createApiTestKit();
    await publishExamples(large.db);
    // The head documents again, as Kent's, with 4,000 more entries each (about 2 MB): snapshots
    // with many breakdowns. Copies, since a published snapshot cannot be changed.
    await sql`
      insert into snapshots (snapshot_id, force_id, as_of, revision, content_hash, generated_at, document)
      select replace(s.snapshot_id, ${FORCE}, 'kent'), 'kent', s.as_of, s.revision, s.content_hash, s.generated_at,
             jsonb_set(s.document, '{measures}', (s.document -> 'measures') || (
               select jsonb_agg(jsonb_set(s.document -> 'measures' -> 0, '{measureId}', to_jsonb('padding.' || n))) from generate_series(1, ${4_000}::int) as n
             ))
      from snapshot_heads h join snapshots s on s.snapshot_id = h.snapshot_id
      where h.force_id = ${FORCE}`.execute(large.db);
    await sql`
      insert into snapshot_heads (force_id, as_of, snapshot_id, revision, content_hash)
      select force_id, as_of, snapshot_id, revision, content_hash from snapshots where force_id = 'kent'`.execute(
      large.db,
    );
    app = buildApi({
      db: large.db.withPlugin(received),
      queues: large.queues,
      queueConnection: large.redis,
      config: large.config,
      log: createSilentLogger(),
    });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await large?.close();
  });

  it('reads one entry per date from PostgreSQL, not the documents', async () => {
    const size = await sql<{ bytes: number }>`select max(length(document::text)) as bytes from snapshots`.execute(
      large.db,
    );
    expect(size.rows[0]!.bytes).toBeGreaterThan(1_000_000);
    received.bytes = 0;
    const response = await app.inject({
      method: 'GET',
      url: `${SERIES}?forceId=kent&period=month`,
      headers: large.bearer('reader'),
    });
    expect(response.statusCode).toBe(200);
    expect(response.json().points.map((p: { value: number }) => p.value)).toEqual([75, 90]);
    expect(received.bytes).toBeLessThan(10_000);
  });
});
