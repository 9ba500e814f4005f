import { Writable } from 'node:stream';
import { createDatabase } from '@rollcall/db';
import { createLogger } from '@rollcall/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiTestKit,
  createApiTestKit,
  FORCE,
  publishExamples,
  type PublishedExamples,
} from '../test/api-test-kit.ts';
import { buildApi } from './build-api.ts';

let kit: ApiTestKit;
let ids: PublishedExamples;
beforeAll(async () => {
  kit = await createApiTestKit();
  ids = await publishExamples(kit.db);
});
afterAll(async () => {
  await kit?.close();
});

const get = (url: string) => kit.app.inject({ method: 'GET', url, headers: kit.bearer('everything') });

/** Rows of the tables an injection would aim at. */
async function tableCounts() {
  const count = async (table: 'snapshots' | 'snapshot_heads' | 'events' | 'forces') =>
    Number(
      (
        await kit.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    snapshots: await count('snapshots'),
    heads: await count('snapshot_heads'),
    events: await count('events'),
    forces: await count('forces'),
  };
}

describe('unknown routes', () => {
  it('are a JSON 404', async () => {
    const response = await get('/v2/snapshots?forceId=x');
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual({ error: 'not_found', message: 'no route for GET /v2/snapshots' });
    const method = await kit.app.inject({
      method: 'DELETE',
      url: `/v1/snapshots/${ids.april}`,
      headers: kit.bearer('everything'),
    });
    expect(method.statusCode).toBe(404);
    expect(method.json()).toEqual({ error: 'not_found', message: `no route for DELETE /v1/snapshots/${ids.april}` });
  });

  it('do not echo a huge path whole', async () => {
    const response = await get(`/${'x'.repeat(5_000)}`);
    expect(response.statusCode).toBe(404);
    expect(response.body.length).toBeLessThan(200);
  });

  it('include a path that climbs out of the API', async () => {
    const response = await get('/v1/snapshots/../../etc/passwd');
    expect(response.statusCode).toBe(404);
    expect(response.body).not.toContain('root:');
  });
});

describe('bad parameters and injection attempts', () => {
  const attempts: [string, string][] = [
    ['SQL in forceId', `/v1/snapshots/latest?forceId=${encodeURIComponent("'; drop table snapshots; --")}`],
    ['OR 1=1 in forceId', `/v1/snapshots?forceId=${encodeURIComponent(`${FORCE}' or '1'='1`)}`],
    ['SQL in a date', `/v1/snapshots?forceId=${FORCE}&from=${encodeURIComponent("2022-01-01' or 1=1 --")}`],
    [
      'SQL in a snapshot id',
      `/v1/snapshots/${encodeURIComponent(`${FORCE}_2022-04-30_r1'; delete from snapshots; --`)}`,
    ],
    ['a path in a snapshot id', `/v1/snapshots/${encodeURIComponent('../../etc/passwd')}`],
    ['SQL in a measure id', `/v1/measures/${encodeURIComponent('x; select pg_sleep(10)')}/series?forceId=${FORCE}`],
    [
      'SQL in a breakdown',
      `/v1/measures/dvpo.applied/series?forceId=${FORCE}&breakdown=${encodeURIComponent("a=1';drop table events;--")}`,
    ],
    ['SQL in a period', `/v1/measures/dvpo.applied/series?forceId=${FORCE}&period=${encodeURIComponent("month' --")}`],
    ['a NUL byte', `/v1/snapshots/latest?forceId=${FORCE}%00`],
    ['a look-alike letter', `/v1/snapshots/latest?forceId=${encodeURIComponent('аvon-and-somerset')}`],
    ['a huge forceId', `/v1/snapshots/latest?forceId=${'a'.repeat(100_000)}`],
    ['a huge date', `/v1/snapshots?from=${'2'.repeat(100_000)}`],
    ['a huge snapshot id', `/v1/snapshots/${'a'.repeat(100_000)}`],
    ['a huge unknown parameter', `/v1/snapshots?${'k'.repeat(50_000)}=1`],
    ['a bad percent-encoding', '/v1/snapshots/%E0%A4%A'],
    ['script in a force', '/?forceId=%3Cscript%3Ealert(1)%3C%2Fscript%3E'],
    ['a parameter given as an object', `/v1/snapshots?forceId[$ne]=x`],
  ];

  it.each(attempts)('%s is a JSON 400', async (_name, url) => {
    const response = await get(url);
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const body = response.json();
    expect(body.error).toBe('bad_request');
    expect(typeof body.message).toBe('string');
    expect(response.body.length).toBeLessThan(1_000);
    expect(response.body).not.toMatch(/select|drop table|delete from|<script/i);
  });

  it('changes nothing', async () => {
    const before = await tableCounts();
    expect(before.snapshots).toBe(3);
    for (const [, url] of attempts) await get(url);
    expect(await tableCounts()).toEqual(before);
    expect((await get(`/v1/snapshots?forceId=${FORCE}`)).json().count).toBe(3);
  });
});

describe('unexpected errors', () => {
  it('are a 500 that says nothing of the cause, which is logged instead', async () => {
    const url = new URL(kit.test.url);
    url.pathname = '/rc_no_such_database';
    const db = createDatabase(url.toString(), { maxConnections: 1 });
    const lines: string[] = [];
    const log = createLogger({
      service: 'api',
      destination: new Writable({ write: (chunk: Buffer, _encoding, done) => done(void lines.push(chunk.toString())) }),
    });
    const app = buildApi({ db, queues: kit.queues, queueConnection: kit.redis, config: kit.config, log });
    try {
      const response = await app.inject({
        method: 'GET',
        url: `/v1/snapshots/${ids.april}`,
        headers: kit.bearer('reader'),
      });
      expect(response.statusCode).toBe(500);
      expect(response.json()).toEqual({ error: 'internal', message: 'internal server error' });
      expect(response.body).not.toContain('rc_no_such_database');
      expect(lines.join('')).toContain('rc_no_such_database');
      expect(lines.join('')).toContain('request failed');
    } finally {
      await app.close();
      await db.destroy();
    }
  });
});

describe('every response', () => {
  it('tells browsers not to sniff types', async () => {
    for (const url of ['/health', '/nope', `/v1/snapshots/${ids.april}?format=csv`]) {
      expect((await get(url)).headers['x-content-type-options'], url).toBe('nosniff');
    }
  });
});
