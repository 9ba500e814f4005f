import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { describe, expect } from 'vitest';
import { test } from '../test/api-fixture.ts';
import { type ApiTestKit, FORCE } from '../test/api-test-kit.ts';
import { IMMUTABLE_CACHE_CONTROL } from './snapshot-cache.ts';

const get = (api: ApiTestKit, url: string, headers: Record<string, string> = {}) =>
  api.app.inject({ method: 'GET', url, headers: { ...api.bearer('reader'), ...headers } });

describe('caching of snapshots', () => {
  test('gives a snapshot revision an ETag from its content hash and a year of immutable caching', async ({
    api,
    published,
  }) => {
    const response = await get(api, `/v1/snapshots/${published.marchR1}`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe(IMMUTABLE_CACHE_CONTROL);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const etag = String(response.headers.etag);
    expect(etag).toMatch(/^W\/"[0-9a-f]{32}-json"$/);
    const csv = await get(api, `/v1/snapshots/${published.marchR1}?format=csv`);
    expect(csv.headers.etag).toBe(etag.replace('-json', '-csv'));
    // Another revision of the same date has another ETag.
    expect((await get(api, `/v1/snapshots/${published.marchR2}`)).headers.etag).not.toBe(etag);
  });

  test('answers 304 without a body to If-None-Match with the ETag, and 200 to any other', async ({
    api,
    published,
  }) => {
    const { etag } = (await get(api, `/v1/snapshots/${published.april}`)).headers;
    const again = await get(api, `/v1/snapshots/${published.april}`, { 'if-none-match': String(etag) });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(etag);
    const listed = await get(api, `/v1/snapshots/${published.april}`, { 'if-none-match': `W/"0000", ${String(etag)}` });
    expect(listed.statusCode).toBe(304);
    const other = await get(api, `/v1/snapshots/${published.april}`, { 'if-none-match': 'W/"0000"' });
    expect(other.statusCode).toBe(200);
  });

  test('revalidates the latest snapshot: 304 until a newer one is published', async ({ api, published }) => {
    const latest = await get(api, `/v1/snapshots/latest?forceId=${FORCE}`);
    expect(latest.headers['cache-control']).toBe('no-cache');
    const april = await get(api, `/v1/snapshots/${published.april}`);
    expect(latest.headers.etag).toBe(april.headers.etag);
    expect(
      (await get(api, `/v1/snapshots/latest?forceId=${FORCE}`, { 'if-none-match': String(latest.headers.etag) }))
        .statusCode,
    ).toBe(304);
  });

  test('compresses with brotli or gzip as the client asks, to the same body', async ({ api, published }) => {
    const plain = await get(api, `/v1/snapshots/${published.april}`);
    const gzip = await get(api, `/v1/snapshots/${published.april}`, { 'accept-encoding': 'gzip' });
    const brotli = await get(api, `/v1/snapshots/${published.april}`, { 'accept-encoding': 'br, gzip' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(brotli.headers['content-encoding']).toBe('br');
    expect(gunzipSync(gzip.rawPayload).toString('utf8')).toBe(plain.body);
    expect(brotliDecompressSync(brotli.rawPayload).toString('utf8')).toBe(plain.body);
    expect(String(gzip.headers.vary)).toMatch(/accept-encoding/i);
    expect(brotli.rawPayload.length).toBeLessThan(plain.rawPayload.length / 5);
    console.info(
      `snapshot ${published.april}: ${plain.rawPayload.length} bytes, gzip ${gzip.rawPayload.length}, brotli ${brotli.rawPayload.length}`,
    );
  });
});
