import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiTestKit, createApiTestKit, publishExamples, type PublishedExamples } from '../test/api-test-kit.ts';
import { HTTP_REQUEST_DURATION, HTTP_REQUESTS_TOTAL } from './http-metrics.ts';

let kit: ApiTestKit;
let ids: PublishedExamples;
beforeAll(async () => {
  kit = await createApiTestKit();
  ids = await publishExamples(kit.db);
});
afterAll(async () => {
  await kit?.close();
});

const scrape = async (): Promise<string> =>
  (await kit.app.inject({ method: 'GET', url: '/metrics', headers: kit.bearer('ops') })).body;

/** The value of the sample `name{labels}` in a Prometheus text exposition, 0 when absent. */
const sample = (text: string, series: string): number => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
};

describe('HTTP metrics on /metrics', () => {
  it('counts requests and their latency by route template, never by raw URL', async () => {
    const before = await scrape();
    const route = 'method="GET",route="/v1/snapshots/:snapshotId",status_code="200"';
    const counted = sample(before, `${HTTP_REQUESTS_TOTAL}{${route}}`);
    for (const id of [ids.marchR1, ids.marchR2, ids.april]) {
      expect(
        (await kit.app.inject({ method: 'GET', url: `/v1/snapshots/${id}`, headers: kit.bearer('reader') })).statusCode,
      ).toBe(200);
    }
    await kit.app.inject({ method: 'GET', url: '/v1/snapshots/not-a-snapshot', headers: kit.bearer('reader') });
    await kit.app.inject({ method: 'GET', url: '/no/such/path' });

    const after = await scrape();
    expect(sample(after, `${HTTP_REQUESTS_TOTAL}{${route}}`)).toBe(counted + 3);
    expect(
      sample(after, `${HTTP_REQUESTS_TOTAL}{method="GET",route="/v1/snapshots/:snapshotId",status_code="400"}`),
    ).toBe(1);
    expect(sample(after, `${HTTP_REQUESTS_TOTAL}{method="GET",route="unmatched",status_code="404"}`)).toBe(1);
    expect(sample(after, `${HTTP_REQUEST_DURATION}_count{${route}}`)).toBe(counted + 3);
    expect(sample(after, `${HTTP_REQUEST_DURATION}_bucket{le="+Inf",${route}}`)).toBe(counted + 3);
    expect(after).toContain(`# TYPE ${HTTP_REQUEST_DURATION} histogram`);
    expect(after).not.toContain(ids.april);
    expect(after).not.toContain('/no/such/path');
  });
});
