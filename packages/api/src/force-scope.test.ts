import { loadConfig } from '@rollcall/config';
import { createSilentLogger } from '@rollcall/logger';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiTestKit,
  createApiTestKit,
  FORCE,
  newToken,
  OTHER_FORCE,
  publishExamples,
  type PublishedExamples,
} from '../test/api-test-kit.ts';
import { buildApi } from './build-api.ts';

/**
 * Several forces in FORCES (the kit configures avon-and-somerset and wiltshire): which force a
 * call without forceId is about (force-scope.ts, operations.md "Which force a request is about").
 */

let kit: ApiTestKit;
let ids: PublishedExamples;
let app: FastifyInstance;
const avonReport = newToken();
const bothForces = newToken();
const anyForce = newToken();

beforeAll(async () => {
  kit = await createApiTestKit();
  ids = await publishExamples(kit.db);
  const config = loadConfig({
    DATABASE_URL: kit.config.databaseUrl,
    REDIS_URL: kit.config.redisUrl,
    QUEUE_PREFIX: kit.queues.prefix,
    FORCES: `${FORCE},${OTHER_FORCE}`,
    API_TOKENS: JSON.stringify([
      { name: 'avon-power-bi', sha256: avonReport.sha256, scopes: ['read:snapshots'], forces: [FORCE] },
      { name: 'both', sha256: bothForces.sha256, scopes: ['read:snapshots'], forces: [FORCE, OTHER_FORCE] },
      { name: 'any', sha256: anyForce.sha256, scopes: ['read:snapshots'] },
    ]),
  });
  app = buildApi({
    db: kit.db,
    queues: kit.queues,
    queueConnection: kit.redis,
    config,
    log: createSilentLogger(),
    rateLimits: { loginPerMinute: 1_000, apiPerMinute: 100_000 },
  });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await kit?.close();
});

const get = (url: string, token: { token: string }) =>
  app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token.token}` } });
const SERIES = '/v1/measures/calls.999.answered_within_10s/series?period=month';

describe('a call without forceId when several forces are configured', () => {
  it('is about the token’s force when its API_TOKENS entry names one', async () => {
    const latest = await get('/v1/snapshots/latest', avonReport);
    expect(latest.statusCode).toBe(200);
    expect(latest.json().snapshotId).toBe(ids.april);
    expect((await get(SERIES, avonReport)).json()).toMatchObject({
      forceId: FORCE,
      points: [{ asOf: '2022-03-31' }, { asOf: '2022-04-30' }],
    });
    expect((await get('/v1/extract?measureId=dvpo.applied&period=month', avonReport)).json()).toMatchObject({
      forceId: FORCE,
      total: 2,
    });
  });

  it('is a 400 listing the forces to choose from otherwise', async () => {
    const unscoped = await get('/v1/snapshots/latest', anyForce);
    expect(unscoped.statusCode).toBe(400);
    expect(unscoped.json().details).toEqual([
      {
        in: 'query',
        path: 'forceId',
        message: `required when several forces are configured (${FORCE}, ${OTHER_FORCE})`,
      },
    ]);
    const several = await get('/v1/extract', bothForces);
    expect(several.statusCode).toBe(400);
    expect(several.json().details).toEqual([
      { in: 'query', path: 'forceId', message: `required: this token reads several forces (${FORCE}, ${OTHER_FORCE})` },
    ]);
    expect((await get(`/v1/snapshots/latest?forceId=${FORCE}`, anyForce)).statusCode).toBe(200);
  });

  it('keeps a scoped token to its forces: 403 for another force, named or by snapshot id', async () => {
    const other = await get(`/v1/snapshots/latest?forceId=${OTHER_FORCE}`, avonReport);
    expect(other.statusCode).toBe(403);
    expect(other.json()).toEqual({
      error: 'forbidden',
      message: `this token reads the data of ${FORCE} only, not ${OTHER_FORCE}`,
    });
    expect((await get(`/v1/snapshots/${OTHER_FORCE}_2022-03-31_r1`, avonReport)).statusCode).toBe(404);
    expect((await get(`/v1/snapshots/${ids.april}`, avonReport)).statusCode).toBe(200);
    const list = (await get('/v1/snapshots', avonReport)).json();
    expect(list.total).toBe(3);
  });

  it('is a 400 naming the configured forces for a force that does not exist', async () => {
    const response = await get('/v1/snapshots/latest?forceId=avon', anyForce);
    expect(response.statusCode).toBe(400);
    expect(response.json().details).toEqual([
      {
        in: 'query',
        path: 'forceId',
        message: `unknown force avon; configured forces: ${FORCE}, ${OTHER_FORCE} (GET /v1/forces lists them with names)`,
      },
    ]);
  });
});

describe('one configured force', () => {
  it('needs no forceId', async () => {
    const single = await createApiTestKit({ forces: FORCE });
    try {
      await publishExamples(single.db);
      const response = await single.app.inject({
        method: 'GET',
        url: '/v1/snapshots/latest',
        headers: single.bearer('reader'),
      });
      expect(response.statusCode).toBe(200);
      expect(response.json().forceId).toBe(FORCE);
    } finally {
      await single.close();
    }
  });
});
