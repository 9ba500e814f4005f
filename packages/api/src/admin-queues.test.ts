import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiTestKit, createApiTestKit } from '../test/api-test-kit.ts';
import { TOKEN_COOKIE } from './auth.ts';

let kit: ApiTestKit;
beforeAll(async () => {
  kit = await createApiTestKit();
});
afterAll(async () => {
  await kit.queues.queue('feed.dvpo').obliterate({ force: true });
  await kit?.close();
});

describe('/admin/queues in a frame (issue 15)', () => {
  it('forbids every page of bull-board from being framed, and keeps it to its own origin', async () => {
    for (const url of ['/admin/queues', '/admin/queues/queue/feed.dvpo', '/admin/queues/api/queues']) {
      const response = await kit.app.inject({ method: 'GET', url, headers: kit.bearer('admin') });
      expect(response.statusCode, url).toBe(200);
      expect(response.headers['content-security-policy'], url).toBe(
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
      );
      expect(response.headers['x-frame-options'], url).toBe('DENY');
    }
  });
});

describe('/admin/queues and requests from another site (issue 15)', () => {
  const cookies = () => ({ [TOKEN_COOKIE]: kit.tokens.admin });
  const queue = () => kit.queues.queue('feed.dvpo');
  /** A failed job to retry and a waiting one to remove: what a forged request would change. */
  beforeAll(async () => {
    await queue().add('feed-batch', { events: [] }, { jobId: 'to-remove' });
    const failed = await queue().add('feed-batch', { events: [] }, { jobId: 'to-retry' });
    await kit.redis
      .multi()
      .lrem(`${kit.queues.prefix}:feed.dvpo:wait`, 0, failed.id!)
      .zadd(`${kit.queues.prefix}:feed.dvpo:failed`, Date.now(), failed.id!)
      .hset(`${kit.queues.prefix}:feed.dvpo:${failed.id}`, 'failedReason', 'made to fail', 'finishedOn', Date.now())
      .exec();
  });

  /** A cross-site form post, as a page elsewhere makes a logged-in admin's browser send it. */
  const forged = (method: 'POST' | 'PUT', url: string, headers: Record<string, string>) =>
    kit.app.inject({
      method,
      url,
      cookies: cookies(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: 'name=feed-batch',
    });

  it('refuses to add, retry or remove a job for a request from another origin, with the admin cookie', async () => {
    const attempts = [
      forged('POST', '/admin/queues/api/queues/feed.dvpo/add', { origin: 'https://evil.example' }),
      forged('PUT', '/admin/queues/api/queues/feed.dvpo/to-retry/retry', { origin: 'https://evil.example' }),
      forged('PUT', '/admin/queues/api/queues/feed.dvpo/to-remove/clean', { 'sec-fetch-site': 'cross-site' }),
      forged('PUT', '/admin/queues/api/queues/feed.dvpo/retry/failed', { origin: 'null' }),
    ];
    for (const response of await Promise.all(attempts)) {
      expect(response.statusCode).toBe(403);
      expect(response.json()).toEqual({
        error: 'forbidden',
        message: 'a request that changes queues must come from this site (its Origin or Sec-Fetch-Site says another)',
      });
    }
    // Nothing changed.
    expect(await queue().getJobCounts('waiting', 'failed')).toEqual({ waiting: 1, failed: 1 });
    expect(await queue().getJobState('to-retry')).toBe('failed');
    expect(await queue().getJobState('to-remove')).toBe('waiting');
  });

  it('takes the same changes from the page itself, and from a client that is not a browser', async () => {
    const sameOrigin = await kit.app.inject({
      method: 'PUT',
      url: '/admin/queues/api/queues/feed.dvpo/to-retry/retry',
      cookies: cookies(),
      headers: { origin: 'http://localhost', 'sec-fetch-site': 'same-origin' },
    });
    expect(sameOrigin.statusCode).toBe(204);
    expect(await queue().getJobState('to-retry')).toBe('waiting');
    // curl with a bearer token sends neither header, and no browser can be made to send its token.
    const tool = await kit.app.inject({
      method: 'PUT',
      url: '/admin/queues/api/queues/feed.dvpo/to-remove/clean',
      headers: kit.bearer('admin'),
    });
    expect(tool.statusCode).toBe(204);
    expect(await queue().getJobState('to-remove')).toBe('unknown');
  });
});
