import { createSilentLogger } from '@rollcall/logger';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiTestKit, createApiTestKit } from '../test/api-test-kit.ts';
import { buildApi } from './build-api.ts';

let kit: ApiTestKit;
/** The API as deployed: the default limits (the kit's own app has them raised for its tests). */
let app: FastifyInstance;
beforeAll(async () => {
  kit = await createApiTestKit();
  app = buildApi({
    db: kit.db,
    queues: kit.queues,
    queueConnection: kit.redis,
    config: kit.config,
    log: createSilentLogger(),
  });
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await kit?.close();
});

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe('rate limits (issue 15)', () => {
  it('refuses the 21st login attempt in a minute from one address with 429 and Retry-After, not another address', async () => {
    const attempt = (remoteAddress: string) =>
      app.inject({ method: 'POST', url: '/login', headers: FORM, payload: 'token=guessed', remoteAddress });
    const first = await attempt('198.51.100.7');
    expect([first.statusCode, first.headers['x-ratelimit-limit'], first.headers['x-ratelimit-remaining']]).toEqual([
      401,
      '20',
      '19',
    ]);
    for (let n = 2; n <= 20; n++) expect((await attempt('198.51.100.7')).statusCode, `attempt ${n}`).toBe(401);
    const refused = await attempt('198.51.100.7');
    expect(refused.statusCode).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(refused.json()).toEqual({
      error: 'too_many_requests',
      message: expect.stringMatching(/^at most 20 login attempts a minute from one address; retry in \d+ s$/),
    });
    expect((await attempt('198.51.100.8')).statusCode).toBe(401);
  });

  it('refuses the 601st API request in a minute from one address, keeps health checks out of it, and counts logins apart', async () => {
    const from = '203.0.113.9';
    for (let n = 1; n <= 600; n++) {
      const response = await app.inject({ method: 'GET', url: '/v1/queues', remoteAddress: from });
      if (response.statusCode !== 401) expect(response.statusCode, `request ${n}`).toBe(401);
    }
    const refused = await app.inject({
      method: 'GET',
      url: '/v1/queues',
      remoteAddress: from,
      headers: kit.bearer('ops'),
    });
    expect(refused.statusCode).toBe(429);
    expect(refused.json()).toEqual({
      error: 'too_many_requests',
      message: expect.stringMatching(/^at most 600 requests a minute from one address; retry in \d+ s$/),
    });
    // A load balancer's probes and a login are not API requests.
    expect((await app.inject({ method: 'GET', url: '/health', remoteAddress: from })).statusCode).toBe(200);
    expect((await app.inject({ method: 'GET', url: '/ready', remoteAddress: from })).statusCode).toBe(200);
    expect(
      (
        await app.inject({
          method: 'POST',
          url: '/login',
          headers: FORM,
          payload: 'token=guessed',
          remoteAddress: from,
        })
      ).statusCode,
    ).toBe(401);
  });
});
