import { MEASURES } from '@rollcall/measures';
import { describe, expect } from 'vitest';
import { test } from '../test/api-fixture.ts';
import { type ApiTestKit, csvRecords, FORCE, OTHER_FORCE } from '../test/api-test-kit.ts';
import { FORCE_CSV_COLUMNS, MEASURE_CSV_COLUMNS } from './catalogue-routes.ts';

const get = (api: ApiTestKit, url: string) => api.app.inject({ method: 'GET', url, headers: api.bearer('reader') });

describe('GET /v1/measures', () => {
  test('lists the catalogue with definitions, breakdown keys and periods', async ({ api }) => {
    const { measures } = (await get(api, '/v1/measures')).json();
    expect(measures.map((m: { id: string }) => m.id)).toEqual(MEASURES.map((m) => m.id));
    expect(measures[0]).toMatchObject({
      id: 'calls.999.answered_within_10s',
      title: '999 calls answered within 10 seconds',
      feed: 'call-handling',
      unit: 'percent',
      direction: 'higher-is-better',
      definition: expect.stringContaining('under 10 s'),
      source: expect.stringContaining('HMICFRS'),
      breakdowns: [],
      periods: ['month', 'rolling-12m', 'financial-year', 'custom'],
      defaultPeriod: 'rolling-12m',
      comparable: true,
    });
    expect(measures.find((m: { id: string }) => m.id === 'incidents.attended_within_target').breakdowns).toEqual([
      'grade',
      'area',
    ]);
  });

  test('is a CSV lookup table too', async ({ api }) => {
    const { header, records } = csvRecords((await get(api, '/v1/measures?format=csv')).body);
    expect(header).toEqual([...MEASURE_CSV_COLUMNS]);
    expect(records).toHaveLength(MEASURES.length);
    expect(records.find((r) => r.id === 'calls.live.waiting')).toMatchObject({
      breakdowns: 'channel queue',
      periods: 'as-at',
      default_period: 'as-at',
    });
  });
});

describe('GET /v1/forces', () => {
  test('lists every force of the reference data by name, with its most similar group, and which are configured', async ({
    api,
  }) => {
    const { forces } = (await get(api, '/v1/forces')).json();
    expect(forces.length).toBeGreaterThanOrEqual(43);
    const avon = forces.find((f: { id: string }) => f.id === FORCE);
    expect(avon).toMatchObject({ name: 'Avon and Somerset', configured: true });
    expect(avon.mostSimilarGroup.length).toBeGreaterThan(0);
    expect(avon.mostSimilarGroup.every((m: { id: string; name: string }) => m.name !== m.id)).toBe(true);
    expect(forces.filter((f: { configured: boolean }) => f.configured).map((f: { id: string }) => f.id)).toEqual([
      FORCE,
      OTHER_FORCE,
    ]);
    const { header } = csvRecords((await get(api, '/v1/forces?format=csv')).body);
    expect(header).toEqual([...FORCE_CSV_COLUMNS]);
  });
});
