import { Writable } from 'node:stream';
import { createLogger } from '@rollcall/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiTestKit, createApiTestKit, csvRecords, FORCE, publishExamples } from '../test/api-test-kit.ts';

/**
 * Power BI and Excel as operations.md tells an analyst to connect them ("Power BI and Excel"):
 * the requests below are the ones those tools send.
 */

const lines: string[] = [];
const capture = new Writable({
  write(chunk: Buffer, _encoding, done) {
    lines.push(chunk.toString());
    done();
  },
});

let kit: ApiTestKit;
beforeAll(async () => {
  kit = await createApiTestKit({ log: createLogger({ service: 'api', level: 'debug', destination: capture }) });
  await publishExamples(kit.db);
});
afterAll(async () => {
  await kit?.close();
});

/** Power BI Desktop's and the service's mashup engine. */
const MASHUP = {
  'user-agent': 'Microsoft.Data.Mashup (https://go.microsoft.com/fwlink/?LinkID=304225)',
  'accept-encoding': 'gzip, deflate',
};
const EXTRACT = `/v1/extract?forceId=${FORCE}&format=csv`;

describe('Power BI: Web.Contents with a Web API credential (ApiKeyName = "api_key")', () => {
  it('is first sent anonymously and answered with a Bearer challenge, which makes Power BI ask for credentials', async () => {
    const response = await kit.app.inject({ method: 'GET', url: EXTRACT, headers: MASHUP });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="rollcall"');
  });

  it('then loads with the key in the query string', async () => {
    const response = await kit.app.inject({
      method: 'GET',
      url: `${EXTRACT}&api_key=${encodeURIComponent(kit.tokens.reader)}`,
      headers: MASHUP,
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-encoding']).toBe('gzip');
    expect(response.headers['x-total-count']).toEqual(expect.stringMatching(/^\d+$/));
  });

  it('admits read scopes only from the query string, never the queue UI', async () => {
    const everything = kit.tokens.everything;
    expect((await kit.app.inject({ method: 'GET', url: `/v1/queues?api_key=${everything}` })).statusCode).toBe(200);
    const admin = await kit.app.inject({ method: 'GET', url: `/admin/queues/api/queues?api_key=${everything}` });
    expect(admin.statusCode).toBe(403);
    expect(admin.json().message).toBe('requires scope admin (a token given as ?api_key= has its read scopes only)');
    expect(
      (await kit.app.inject({ method: 'GET', url: '/admin/queues/api/queues', headers: kit.bearer('everything') }))
        .statusCode,
    ).toBe(200);
  });

  it('is refused when given twice or not valid, and kept out of the logs', async () => {
    const twice = await kit.app.inject({
      method: 'GET',
      url: `${EXTRACT}&api_key=${kit.tokens.reader}&api_key=${kit.tokens.reader}`,
    });
    expect(twice.statusCode).toBe(401);
    expect(twice.json().message).toBe('api_key must be given once, with the token');
    expect((await kit.app.inject({ method: 'GET', url: `${EXTRACT}&api_key=rc_not-a-token` })).statusCode).toBe(401);
    const logged = lines.join('');
    expect(logged).toContain('/v1/extract?forceId=');
    expect(logged).not.toContain(kit.tokens.reader);
    expect(logged).not.toContain(kit.tokens.everything);
    expect(logged).not.toContain('api_key');
  });
});

describe('Excel and Power BI: From Web with a request header', () => {
  it('loads with X-API-Key (Excel: From Web, Advanced, HTTP request header parameters)', async () => {
    const response = await kit.app.inject({
      method: 'GET',
      url: EXTRACT,
      headers: { 'user-agent': MASHUP['user-agent'], 'x-api-key': kit.tokens.reader },
    });
    expect(response.statusCode).toBe(200);
    expect(csvRecords(response.body).header[0]).toBe('force_id');
  });

  it('loads with Authorization: Bearer (Web.Contents(url, [Headers = [Authorization = "Bearer ..."]]))', async () => {
    const response = await kit.app.inject({
      method: 'GET',
      url: EXTRACT,
      headers: { ...MASHUP, authorization: `Bearer ${kit.tokens.reader}` },
    });
    expect(response.statusCode).toBe(200);
  });

  it('refuses an X-API-Key that is not a token, or one without the scope', async () => {
    expect((await kit.app.inject({ method: 'GET', url: EXTRACT, headers: { 'x-api-key': 'nope' } })).statusCode).toBe(
      401,
    );
    expect(
      (await kit.app.inject({ method: 'GET', url: EXTRACT, headers: { 'x-api-key': kit.tokens.ops } })).statusCode,
    ).toBe(403);
  });
});
