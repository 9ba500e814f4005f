import { describe, expect } from 'vitest';
import { test } from '../test/api-fixture.ts';
import { type ApiTestKit } from '../test/api-test-kit.ts';
import { HTTP_REQUEST_DURATION, HTTP_REQUESTS_TOTAL } from './http-metrics.ts';

const scrape = async (api: ApiTestKit): Promise<string> =>
  (await api.app.inject({ method: 'GET', url: '/metrics', headers: api.bearer('ops') })).body;

/** The value of the sample `name{labels}` in a Prometheus text exposition, 0 when absent. */
const sample = (text: string, series: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
};

describe('HTTP metrics on /metrics', () => {
  test('counts requests and their latency by route template, never by raw URL', async ({ api, published }) => {
    const before = await scrape(api);
    const route = 'method="GET",route="/v1/snapshots/:snapshotId",status_code="200"';
    const counted = sample(before, `${HTTP_REQUESTS_TOTAL}{${route}}`);
    for (const id of [published.marchR1, published.marchR2, published.april]) {
      expect(
        (await api.app.inject({ method: 'GET', url: `/v1/snapshots/${id}`, headers: api.bearer('reader') })).statusCode,
      ).toBe(200);
    }
    await api.app.inject({ method: 'GET', url: '/v1/snapshots/not-a-snapshot', headers: api.bearer('reader') });
    await api.app.inject({ method: 'GET', url: '/no/such/path' });

    const after = await scrape(api);
    expect(sample(after, `${HTTP_REQUESTS_TOTAL}{${route}}`)).toBe(counted + 3);
    expect(
      sample(after, `${HTTP_REQUESTS_TOTAL}{method="GET",route="/v1/snapshots/:snapshotId",status_code="400"}`),
    ).toBe(1);
    expect(sample(after, `${HTTP_REQUESTS_TOTAL}{method="GET",route="unmatched",status_code="404"}`)).toBe(1);
    expect(sample(after, `${HTTP_REQUEST_DURATION}_count{${route}}`)).toBe(counted + 3);
    expect(sample(after, `${HTTP_REQUEST_DURATION}_bucket{le="+Inf",${route}}`)).toBe(counted + 3);
    expect(after).toContain(`# TYPE ${HTTP_REQUEST_DURATION} histogram`);
    expect(after).not.toContain(published.april);
    expect(after).not.toContain('/no/such/path');
  });
});
