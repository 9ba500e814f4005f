import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiTestKit,
  createApiTestKit,
  FORCE,
  publishExamples,
  type PublishedExamples,
} from '../test/api-test-kit.ts';
import { IMMUTABLE_CACHE_CONTROL } from './snapshot-cache.ts';

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

describe('caching of snapshots', () => {
  it('gives a snapshot revision an ETag from its content hash and a year of immutable caching', async () => {
    const response = await get(`/v1/snapshots/${ids.marchR1}`);
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe(IMMUTABLE_CACHE_CONTROL);
    expect(response.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const etag = String(response.headers.etag);
    expect(etag).toMatch(/^W\/"[0-9a-f]{32}-json"$/);
    const csv = await get(`/v1/snapshots/${ids.marchR1}?format=csv`);
    expect(csv.headers.etag).toBe(etag.replace('-json', '-csv'));
    // Another revision of the same date has another ETag.
    expect((await get(`/v1/snapshots/${ids.marchR2}`)).headers.etag).not.toBe(etag);
  });

  it('answers 304 without a body to If-None-Match with the ETag, and 200 to any other', async () => {
    const { etag } = (await get(`/v1/snapshots/${ids.april}`)).headers;
    const again = await get(`/v1/snapshots/${ids.april}`, { 'if-none-match': String(etag) });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.etag).toBe(etag);
    const listed = await get(`/v1/snapshots/${ids.april}`, { 'if-none-match': `W/"0000", ${String(etag)}` });
    expect(listed.statusCode).toBe(304);
    const other = await get(`/v1/snapshots/${ids.april}`, { 'if-none-match': 'W/"0000"' });
    expect(other.statusCode).toBe(200);
  });

  it('revalidates the latest snapshot: 304 until a newer one is published', async () => {
    const latest = await get(`/v1/snapshots/latest?forceId=${FORCE}`);
    expect(latest.headers['cache-control']).toBe('no-cache');
    const april = await get(`/v1/snapshots/${ids.april}`);
    expect(latest.headers.etag).toBe(april.headers.etag);
    expect(
      (await get(`/v1/snapshots/latest?forceId=${FORCE}`, { 'if-none-match': String(latest.headers.etag) })).statusCode,
    ).toBe(304);
  });

  it('compresses with brotli or gzip as the client asks, to the same body', async () => {
    const plain = await get(`/v1/snapshots/${ids.april}`);
    const gzip = await get(`/v1/snapshots/${ids.april}`, { 'accept-encoding': 'gzip' });
    const brotli = await get(`/v1/snapshots/${ids.april}`, { 'accept-encoding': 'br, gzip' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(gzip.headers['content-encoding']).toBe('gzip');
    expect(brotli.headers['content-encoding']).toBe('br');
    expect(gunzipSync(gzip.rawPayload).toString('utf8')).toBe(plain.body);
    expect(brotliDecompressSync(brotli.rawPayload).toString('utf8')).toBe(plain.body);
    expect(String(gzip.headers.vary)).toMatch(/accept-encoding/i);
    expect(brotli.rawPayload.length).toBeLessThan(plain.rawPayload.length / 5);
    console.info(
      `snapshot ${ids.april}: ${plain.rawPayload.length} bytes, gzip ${gzip.rawPayload.length}, brotli ${brotli.rawPayload.length}`,
    );
  });
});
