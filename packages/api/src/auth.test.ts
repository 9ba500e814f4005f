import { Writable } from 'node:stream';
import { createLogger } from '@rollcall/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiTestKit, createApiTestKit, FORCE, newToken, type TokenName } from '../test/api-test-kit.ts';
import { createTokenVerifier, TOKEN_COOKIE } from './auth.ts';

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
});
afterAll(async () => {
  await kit?.close();
});

/** Every protected route, with the scope operations.md gives it and the tokens that lack it. */
const PROTECTED: readonly { url: string; scope: string; without: TokenName[] }[] = [
  { url: '/', scope: 'read:snapshots', without: ['ops', 'admin'] },
  { url: `/v1/snapshots/latest?forceId=${FORCE}`, scope: 'read:snapshots', without: ['ops', 'admin'] },
  { url: `/v1/snapshots/${FORCE}_2022-03-31_r1`, scope: 'read:snapshots', without: ['ops', 'admin'] },
  { url: '/v1/snapshots', scope: 'read:snapshots', without: ['ops', 'admin'] },
  {
    url: `/v1/snapshots/${FORCE}_2022-03-31_r1/explain?measureId=dvpo.applied`,
    scope: 'read:snapshots',
    without: ['ops', 'admin'],
  },
  { url: `/v1/measures/dvpo.applied/series?forceId=${FORCE}`, scope: 'read:snapshots', without: ['ops', 'admin'] },
  { url: '/v1/measures', scope: 'read:snapshots', without: ['ops', 'admin'] },
  { url: '/v1/forces', scope: 'read:snapshots', without: ['ops', 'admin'] },
  { url: `/v1/extract?forceId=${FORCE}`, scope: 'read:snapshots', without: ['ops', 'admin'] },
  { url: '/metrics', scope: 'read:ops', without: ['reader', 'admin'] },
  { url: '/v1/queues', scope: 'read:ops', without: ['reader', 'admin'] },
  { url: '/admin/queues', scope: 'admin', without: ['reader', 'ops'] },
  { url: '/admin/queues/api/queues', scope: 'admin', without: ['reader', 'ops'] },
];

describe('createTokenVerifier', () => {
  it('finds the token whose SHA-256 is configured, and nothing else', () => {
    const a = newToken();
    const b = newToken();
    const verifier = createTokenVerifier([
      { name: 'a', sha256: a.sha256, scopes: ['read:ops'] },
      { name: 'b', sha256: b.sha256, scopes: ['read:snapshots', 'admin'], forces: ['wiltshire'] },
    ]);
    expect(verifier.verify(a.token)).toEqual({ name: 'a', scopes: ['read:ops'], forces: null });
    expect(verifier.verify(b.token)).toEqual({ name: 'b', scopes: ['read:snapshots', 'admin'], forces: ['wiltshire'] });
    expect(verifier.verify(a.sha256)).toBeUndefined();
    expect(verifier.verify('')).toBeUndefined();
    expect(verifier.verify('x'.repeat(10_000))).toBeUndefined();
  });
});

describe('scopes', () => {
  it.each(PROTECTED)('$url without a token is 401 with a Bearer challenge', async ({ url }) => {
    const response = await kit.app.inject({ method: 'GET', url });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="rollcall"');
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json()).toEqual({
      error: 'unauthorized',
      message: expect.stringContaining('bearer token is required'),
    });
  });

  it.each(PROTECTED)('$url with an unknown token is 401', async ({ url }) => {
    const response = await kit.app.inject({
      method: 'GET',
      url,
      headers: { authorization: `Bearer ${newToken().token}` },
    });
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toBe('Bearer realm="rollcall", error="invalid_token"');
    expect(response.json()).toEqual({ error: 'unauthorized', message: 'the token is not valid' });
  });

  it.each(PROTECTED)('$url with a token lacking the scope is 403', async ({ url, scope, without }) => {
    for (const name of without) {
      const response = await kit.app.inject({ method: 'GET', url, headers: kit.bearer(name) });
      expect(response.statusCode, name).toBe(403);
      expect(response.json()).toEqual({ error: 'forbidden', message: `requires scope ${scope}` });
      expect(response.headers['www-authenticate']).toContain(`error="insufficient_scope", scope="${scope}"`);
    }
  });

  it.each(PROTECTED)('$url with a token holding every scope is let in', async ({ url }) => {
    const response = await kit.app.inject({ method: 'GET', url, headers: kit.bearer('everything') });
    expect([401, 403]).not.toContain(response.statusCode);
  });

  it('refuses an Authorization header that is not a bearer token', async () => {
    for (const authorization of [
      `Basic ${Buffer.from('a:b').toString('base64')}`,
      'Bearer',
      `Bearer ${kit.tokens.reader} extra`,
      kit.tokens.reader,
    ]) {
      const response = await kit.app.inject({ method: 'GET', url: '/v1/snapshots', headers: { authorization } });
      expect(response.statusCode, authorization).toBe(401);
      expect(response.json()).toEqual({
        error: 'unauthorized',
        message: 'the Authorization header must be "Bearer <token>"',
      });
    }
  });

  it('accepts the scheme in any case', async () => {
    const response = await kit.app.inject({
      method: 'GET',
      url: '/v1/snapshots',
      headers: { authorization: `bearer ${kit.tokens.reader}` },
    });
    expect(response.statusCode).toBe(200);
  });

  it('accepts the token from the login cookie, the header winning when both are sent', async () => {
    const cookie = await kit.app.inject({
      method: 'GET',
      url: '/v1/snapshots',
      cookies: { [TOKEN_COOKIE]: kit.tokens.reader },
    });
    expect(cookie.statusCode).toBe(200);
    const both = await kit.app.inject({
      method: 'GET',
      url: '/v1/snapshots',
      cookies: { [TOKEN_COOKIE]: kit.tokens.reader },
      headers: kit.bearer('ops'),
    });
    expect(both.statusCode).toBe(403);
    const stale = await kit.app.inject({
      method: 'GET',
      url: '/v1/snapshots',
      cookies: { [TOKEN_COOKIE]: newToken().token },
    });
    expect(stale.statusCode).toBe(401);
    expect(stale.json().message).toContain('log in again at /login');
  });

  it('leaves public routes open, whatever token is sent', async () => {
    for (const url of ['/health', '/ready', '/login']) {
      expect((await kit.app.inject({ method: 'GET', url })).statusCode, url).toBe(200);
      expect(
        (await kit.app.inject({ method: 'GET', url, headers: { authorization: 'Bearer nonsense' } })).statusCode,
        url,
      ).toBe(200);
    }
  });
});

describe('logging', () => {
  it('logs requests without tokens, from headers, cookies or login forms', async () => {
    lines.length = 0;
    await kit.app.inject({ method: 'GET', url: '/v1/snapshots', headers: kit.bearer('reader') });
    await kit.app.inject({ method: 'GET', url: '/v1/queues', cookies: { [TOKEN_COOKIE]: kit.tokens.ops } });
    await kit.app.inject({ method: 'GET', url: '/v1/queues', headers: kit.bearer('reader') });
    await kit.app.inject({ method: 'POST', url: '/login', payload: { token: kit.tokens.admin } });
    await kit.app.inject({
      method: 'POST',
      url: '/login',
      payload: `token=${kit.tokens.everything}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const log = lines.join('');
    expect(log).toContain('incoming request');
    expect(log).toContain('"tokenName":"admin"');
    for (const token of Object.values(kit.tokens)) expect(log).not.toContain(token);
  });
});
