import { gunzipSync } from 'node:zlib';
import { findSnapshot } from '@rollcall/db';
import { storeFeedBatch } from '@rollcall/store';
import { createSilentLogger } from '@rollcall/logger';
import { MEASURES } from '@rollcall/measures';
import { keyValuePairs, publishSnapshot } from '@rollcall/publishing';
import { testIngestContext } from '@rollcall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiTestKit,
  createApiTestKit,
  csvRecords,
  FORCE,
  publishYear,
  YEAR_MONTH_ENDS,
} from '../test/api-test-kit.ts';
import { EXTRACT_COLUMNS } from './extract-table.ts';
import { documentOf } from './stored-document.ts';

let kit: ApiTestKit;
let snapshotIds: readonly string[];

beforeAll(async () => {
  // One force configured, as in most deployments: calls need not name it.
  kit = await createApiTestKit({ forces: FORCE });
  snapshotIds = await publishYear(kit.db);
}, 120_000);
afterAll(async () => {
  await kit?.close();
});

/** What Power BI's Web connector sends for `Web.Contents(url, [ApiKeyName = "api_key"])`. */
const POWER_BI_HEADERS = {
  'user-agent': 'Microsoft.Data.Mashup (https://go.microsoft.com/fwlink/?LinkID=304225)',
  'accept-encoding': 'gzip, deflate',
};

const YEAR = 'from=2022-04-01&to=2023-03-31';

/**
 * The rows the extract should have, worked out from the stored documents here rather than by
 * the route's SQL: one per measure, period (by its start; its end for as-at) and breakdown.
 */
async function expectedKeys(ids: readonly string[]): Promise<Set<string>> {
  const keys = new Set<string>();
  for (const id of ids) {
    const stored = await findSnapshot(kit.db, id);
    if (stored === undefined) throw new Error(`no snapshot ${id}`);
    for (const entry of documentOf(stored).measures) {
      keys.add(
        [entry.measureId, entry.period.id, entry.period.from ?? entry.period.to, keyValuePairs(entry.breakdown)].join(
          '|',
        ),
      );
    }
  }
  return keys;
}

const keyOf = (record: Record<string, string>): string =>
  [
    record.measure_id,
    record.period_id,
    record.period_kind === 'as-at' ? record.period_to : record.period_from,
    record.breakdown,
  ].join('|');

describe('GET /v1/extract (a Power BI load of a year)', () => {
  it('gives one CSV row per measure × period × breakdown, in the documented columns', async () => {
    const started = performance.now();
    const response = await kit.app.inject({
      method: 'GET',
      url: `/v1/extract?${YEAR}&format=csv&api_key=${kit.tokens.reader}`,
      headers: POWER_BI_HEADERS,
    });
    const elapsedMs = performance.now() - started;
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-encoding']).toBe('gzip');
    const text = gunzipSync(response.rawPayload).toString('utf8');
    const { header, records } = csvRecords(text);
    expect(header).toEqual([...EXTRACT_COLUMNS]);
    expect(header.slice(0, 4)).toEqual(['force_id', 'force_name', 'measure_id', 'measure_title']);

    const expected = await expectedKeys(snapshotIds);
    expect(records).toHaveLength(expected.size);
    expect(new Set(records.map(keyOf))).toEqual(expected);
    expect(response.headers['x-total-count']).toBe(String(expected.size));
    expect(response.headers['x-next-cursor']).toBeUndefined();

    // Each measure with flow periods: 12 months, 12 rolling years, one financial year.
    const answered = records.filter((r) => r.measure_id === 'calls.999.answered_within_10s' && r.breakdown === '');
    const byKind = (kind: string) => answered.filter((r) => r.period_kind === kind);
    expect(byKind('month').map((r) => r.period_to)).toEqual([...YEAR_MONTH_ENDS]);
    expect(byKind('rolling-12m')).toHaveLength(12);
    expect(byKind('financial-year')).toEqual([
      expect.objectContaining({
        period_from: '2022-04-01',
        period_to: '2023-03-31',
        period_complete: 'true',
        as_of: '2023-03-31',
      }),
    ]);
    expect(byKind('month')[0]).toMatchObject({
      force_id: FORCE,
      force_name: 'Avon and Somerset',
      measure_title: '999 calls answered within 10 seconds',
      period_label: '2022-04 to 2022-04-30',
      value: '80',
      numerator: '40',
      denominator: '50',
      is_latest_revision: 'true',
      period_complete: 'true',
    });
    // Every measure of the catalogue is there, with its title.
    expect(new Set(records.map((r) => r.measure_id))).toEqual(new Set(MEASURES.map((m) => m.id)));
    expect(records.every((r) => r.measure_title !== '' && r.force_name === 'Avon and Somerset')).toBe(true);
    console.info(
      `extract of a year: ${records.length} rows, ${text.length} bytes of CSV, ${response.rawPayload.length} gzipped, ${elapsedMs.toFixed(0)} ms`,
    );
  });

  it('pages with a total and a cursor, every row once, in the same order as one page', async () => {
    const whole = (
      await kit.app.inject({ method: 'GET', url: `/v1/extract?${YEAR}`, headers: kit.bearer('reader') })
    ).json();
    expect(whole.nextCursor).toBeNull();
    expect(whole.columns).toEqual([...EXTRACT_COLUMNS]);
    const pages: unknown[][] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: { total: number; rows: unknown[]; nextCursor: string | null } = (
        await kit.app.inject({
          method: 'GET',
          url: `/v1/extract?${YEAR}&limit=700${cursor ? `&cursor=${cursor}` : ''}`,
          headers: kit.bearer('reader'),
        })
      ).json();
      expect(page.total).toBe(whole.total);
      pages.push(page.rows);
      cursor = page.nextCursor;
    }
    expect(pages.length).toBe(Math.ceil(whole.total / 700));
    expect(pages.flat()).toEqual(whole.rows);

    const csv = await kit.app.inject({
      method: 'GET',
      url: `/v1/extract?${YEAR}&limit=5&format=csv`,
      headers: kit.bearer('reader'),
    });
    expect(csvRecords(csv.body).records).toHaveLength(5);
    const next = csv.headers['x-next-cursor'];
    expect(next).toEqual(expect.any(String));
    expect(csv.headers.link).toBe(
      `</v1/extract?from=2022-04-01&to=2023-03-31&limit=5&format=csv&cursor=${String(next)}>; rel="next"`,
    );
  });

  it('filters by measure and period, and says which values are valid', async () => {
    const body = (
      await kit.app.inject({
        method: 'GET',
        url: `/v1/extract?${YEAR}&measureId=calls.999.answered_within_10s&period=month`,
        headers: kit.bearer('reader'),
      })
    ).json();
    expect(body.rows.map((r: { period_to: string }) => r.period_to)).toEqual([...YEAR_MONTH_ENDS]);
    const unknownMeasure = await kit.app.inject({
      method: 'GET',
      url: `/v1/extract?measureId=calls.999.answered_within_99s`,
      headers: kit.bearer('reader'),
    });
    expect(unknownMeasure.statusCode).toBe(400);
    expect(unknownMeasure.json().details[0]).toMatchObject({
      path: 'measureId',
      message: expect.stringContaining(
        'unknown measure calls.999.answered_within_99s; measures: calls.999.answered_within_10s,',
      ),
    });
    const unknownPeriod = await kit.app.inject({
      method: 'GET',
      url: `/v1/extract?period=quarter`,
      headers: kit.bearer('reader'),
    });
    expect(unknownPeriod.statusCode).toBe(400);
    expect(unknownPeriod.json().details[0]).toMatchObject({
      path: 'period.0',
      message: 'must be month, rolling-12m, financial-year, as-at or custom:<id>',
    });
    const badCursor = await kit.app.inject({
      method: 'GET',
      url: `/v1/extract?cursor=abc`,
      headers: kit.bearer('reader'),
    });
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json().details[0].path).toBe('cursor');
  });

  it('takes a month to date from the newest snapshot, marked incomplete, and superseded revisions on request', async () => {
    const context = testIngestContext();
    const deps = {
      db: kit.db,
      snapshotDir: null,
      disclosure: { maxSuppressedCount: 4 },
      timeZone: 'Europe/London',
      log: createSilentLogger(),
    };
    await publishSnapshot(deps, FORCE, '2023-04-15');
    const april = (
      await kit.app.inject({
        method: 'GET',
        url: '/v1/extract?from=2023-04-01&measureId=calls.999.answered_within_10s&period=month',
        headers: kit.bearer('reader'),
      })
    ).json();
    expect(april.rows).toEqual([
      expect.objectContaining({
        period_from: '2023-04-01',
        period_to: '2023-04-15',
        period_complete: false,
        flags: expect.stringContaining('[p]'),
      }),
    ]);

    // A late call in March 2023 revises the March snapshot.
    const late = { feed: 'call-handling', forceId: FORCE, schemaVersion: 1 };
    const inputs = [
      {
        ...late,
        eventId: 'late-p',
        type: 'call.presented',
        occurredAt: '2023-03-20T10:00:00Z',
        payload: { callId: 'late', channel: '999', queue: 'primary', btTransferSeconds: 0 },
      },
      {
        ...late,
        eventId: 'late-a',
        type: 'call.answered',
        occurredAt: '2023-03-20T10:00:30Z',
        payload: { callId: 'late' },
      },
    ];
    await storeFeedBatch(kit.db, { feed: 'call-handling', inputs, source: 'test' }, context);
    const revised = await publishSnapshot(deps, FORCE, '2023-03-31');
    expect(revised.revision).toBe(2);
    const url = '/v1/extract?from=2023-03-01&to=2023-03-31&measureId=calls.999.answered_within_10s&period=month';
    const latest = (await kit.app.inject({ method: 'GET', url, headers: kit.bearer('reader') })).json();
    expect(latest.rows.map((r: Record<string, unknown>) => [r.revision, r.is_latest_revision, r.denominator])).toEqual([
      [2, true, 62],
    ]);
    const all = (
      await kit.app.inject({ method: 'GET', url: `${url}&revisions=all`, headers: kit.bearer('reader') })
    ).json();
    expect(all.rows.map((r: Record<string, unknown>) => [r.revision, r.is_latest_revision, r.denominator])).toEqual([
      [2, true, 62],
      [1, false, 61],
    ]);
  });
});
