import { createSilentLogger } from '@rollcall/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ApiTestKit,
  createApiTestKit,
  FORCE,
  newToken,
  OTHER_FORCE,
  publishExamples,
} from '../test/api-test-kit.ts';
import { TOKEN_COOKIE } from './auth.ts';
import { buildApi } from './build-api.ts';
import { escapeHtml, jsonForScript } from './html-page.ts';
import { CSRF_COOKIE } from './login-csrf.ts';
import { LOGIN_COOKIE_MAX_AGE_SECONDS } from './login-routes.ts';

let kit: ApiTestKit;
beforeAll(async () => {
  kit = await createApiTestKit();
  await publishExamples(kit.db);
});
afterAll(async () => {
  await kit?.close();
});

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

/** The value of the login cookie a response sets, or undefined. */
const cookieFrom = (response: { cookies: { name: string; value: string }[] }): string | undefined =>
  response.cookies.find((cookie) => cookie.name === TOKEN_COOKIE)?.value;

describe('GET /login', () => {
  it('is a small form, public, with a strict CSP', async () => {
    const response = await kit.app.inject({ method: 'GET', url: '/login?next=/admin/queues' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.body).toContain('<form method="post" action="/login">');
    expect(response.body).toContain('name="token" type="password"');
    expect(response.body).toContain('<input type="hidden" name="next" value="/admin/queues">');
    expect(response.headers['content-security-policy']).toContain("default-src 'none'");
    expect(response.headers['content-security-policy']).not.toContain('script-src');
  });

  it('is 400 for a next that leaves the site', async () => {
    for (const next of ['//evil.example/', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
      const response = await kit.app.inject({ method: 'GET', url: `/login?next=${encodeURIComponent(next)}` });
      expect(response.statusCode, next).toBe(400);
      expect(response.json().details).toEqual([
        { in: 'query', path: 'next', message: 'must be a path on this server such as /admin/queues' },
      ]);
    }
  });
});

describe('POST /login', () => {
  it('sets the HttpOnly, SameSite=Strict cookie and redirects a form post home', async () => {
    const response = await kit.app.inject({
      method: 'POST',
      url: '/login',
      headers: FORM,
      payload: form({ token: kit.tokens.reader }),
    });
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe('/');
    const header = String(response.headers['set-cookie']);
    expect(header).toContain(`${TOKEN_COOKIE}=`);
    expect(header).toContain('HttpOnly');
    expect(header).toContain('SameSite=Strict');
    expect(header).toContain('Path=/');
    expect(header).toContain(`Max-Age=${LOGIN_COOKIE_MAX_AGE_SECONDS}`);
    expect(header).not.toContain('Secure');
    expect(cookieFrom(response)).toBe(kit.tokens.reader);
  });

  it('goes to next, or where the token is useful', async () => {
    const next = await kit.app.inject({
      method: 'POST',
      url: '/login',
      headers: FORM,
      payload: form({ token: kit.tokens.everything, next: '/admin/queues' }),
    });
    expect(next.headers.location).toBe('/admin/queues');
    const admin = await kit.app.inject({
      method: 'POST',
      url: '/login',
      headers: FORM,
      payload: form({ token: kit.tokens.admin }),
    });
    expect(admin.headers.location).toBe('/admin/queues');
  });

  it('answers a JSON post with the token name and scopes', async () => {
    const response = await kit.app.inject({ method: 'POST', url: '/login', payload: { token: kit.tokens.ops } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ name: 'ops', scopes: ['read:ops'] });
    expect(cookieFrom(response)).toBe(kit.tokens.ops);
  });

  it('refuses an unknown token: the form again for a browser, JSON otherwise, and no cookie', async () => {
    const page = await kit.app.inject({
      method: 'POST',
      url: '/login',
      headers: FORM,
      payload: form({ token: newToken().token, next: '/admin/queues' }),
    });
    expect(page.statusCode).toBe(401);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.body).toContain('That token is not valid.');
    expect(page.body).toContain('value="/admin/queues"');
    expect(cookieFrom(page)).toBeUndefined();
    const json = await kit.app.inject({ method: 'POST', url: '/login', payload: { token: newToken().token } });
    expect(json.statusCode).toBe(401);
    expect(json.json()).toEqual({ error: 'unauthorized', message: 'the token is not valid' });
    expect(cookieFrom(json)).toBeUndefined();
  });

  it('is 400 without a token or with a bad next', async () => {
    const missing = await kit.app.inject({ method: 'POST', url: '/login', headers: FORM, payload: '' });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().details).toEqual([{ in: 'body', path: 'token', message: expect.any(String) }]);
    const next = await kit.app.inject({
      method: 'POST',
      url: '/login',
      payload: { token: kit.tokens.reader, next: '//evil.example' },
    });
    expect(next.statusCode).toBe(400);
    expect(cookieFrom(next)).toBeUndefined();
  });

  it('is 400 for a body that is not JSON, and 415 for a content type it does not read', async () => {
    const json = await kit.app.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"token":',
    });
    expect(json.statusCode).toBe(400);
    expect(json.json()).toMatchObject({ error: 'bad_request' });
    const xml = await kit.app.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'application/xml' },
      payload: '<token/>',
    });
    expect(xml.statusCode).toBe(415);
    expect(xml.json()).toMatchObject({ error: 'unsupported_media_type' });
  });

  it('refuses a cross-site post', async () => {
    const response = await kit.app.inject({
      method: 'POST',
      url: '/login',
      headers: { ...FORM, origin: 'https://evil.example', host: 'rollcall.example' },
      payload: form({ token: kit.tokens.reader }),
    });
    expect(response.statusCode).toBe(403);
    expect(cookieFrom(response)).toBeUndefined();
    const same = await kit.app.inject({
      method: 'POST',
      url: '/login',
      headers: { ...FORM, origin: 'http://rollcall.example', host: 'rollcall.example' },
      payload: form({ token: kit.tokens.reader }),
    });
    expect(same.statusCode).toBe(303);
  });

  it("accepts Origin: null (a browser hiding the origin) only with the form's CSRF token, and says why as a page", async () => {
    const page = await kit.app.inject({ method: 'GET', url: '/login' });
    const csrf = page.cookies.find((cookie) => cookie.name === CSRF_COOKIE);
    expect(csrf).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(page.body).toContain(`<input type="hidden" name="csrf" value="${csrf?.value}">`);
    const post = (fields: Record<string, string>, cookies: Record<string, string>) =>
      kit.app.inject({
        method: 'POST',
        url: '/login',
        headers: { ...FORM, origin: 'null' },
        cookies,
        payload: form(fields),
      });
    const without = await post({ token: kit.tokens.reader }, {});
    expect(without.statusCode).toBe(403);
    expect(without.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(without.body).toContain('carried no valid CSRF token');
    expect(cookieFrom(without)).toBeUndefined();
    expect(
      (await post({ token: kit.tokens.reader, csrf: 'x'.repeat(43) }, { [CSRF_COOKIE]: csrf?.value ?? '' })).statusCode,
    ).toBe(403);
    const withToken = await post(
      { token: kit.tokens.reader, csrf: csrf?.value ?? '' },
      { [CSRF_COOKIE]: csrf?.value ?? '' },
    );
    expect(withToken.statusCode).toBe(303);
    const logout = await kit.app.inject({
      method: 'POST',
      url: '/logout',
      headers: { ...FORM, origin: 'null' },
      cookies: { [CSRF_COOKIE]: csrf?.value ?? '', [TOKEN_COOKIE]: kit.tokens.reader },
      payload: form({ csrf: csrf?.value ?? '' }),
    });
    expect(logout.statusCode).toBe(303);
    expect(cookieFrom(logout)).toBe('');
  });
});

describe('the login cookie behind a reverse proxy that terminates TLS', () => {
  const https = { ...FORM, 'x-forwarded-proto': 'https' };
  const setCookie = (response: { headers: Record<string, unknown> }) => String(response.headers['set-cookie']);

  it('ignores X-Forwarded-Proto by default: any client could send it', async () => {
    const response = await kit.app.inject({
      method: 'POST',
      url: '/login',
      headers: https,
      payload: form({ token: kit.tokens.reader }),
    });
    expect(response.statusCode).toBe(303);
    expect(setCookie(response)).not.toContain('Secure');
  });

  it('is Secure when the request came over HTTPS to a trusted proxy, at login and logout', async () => {
    // inject() connects from 127.0.0.1: here, the proxy.
    const app = buildApi({
      db: kit.db,
      queues: kit.queues,
      queueConnection: kit.redis,
      config: kit.config,
      log: createSilentLogger(),
      trustProxy: '127.0.0.1',
    });
    try {
      await app.ready();
      const login = await app.inject({
        method: 'POST',
        url: '/login',
        headers: https,
        payload: form({ token: kit.tokens.reader }),
      });
      expect(login.statusCode).toBe(303);
      expect(setCookie(login)).toContain('Secure');
      expect(setCookie(login)).toContain('HttpOnly');
      const logout = await app.inject({ method: 'POST', url: '/logout', headers: https, payload: '' });
      expect(setCookie(logout)).toContain('Secure');
      const plain = await app.inject({
        method: 'POST',
        url: '/login',
        headers: FORM,
        payload: form({ token: kit.tokens.reader }),
      });
      expect(setCookie(plain)).not.toContain('Secure');
    } finally {
      await app.close();
    }
  });
});

describe('POST /logout', () => {
  it('clears the cookie', async () => {
    const page = await kit.app.inject({
      method: 'POST',
      url: '/logout',
      headers: FORM,
      payload: '',
      cookies: { [TOKEN_COOKIE]: kit.tokens.reader },
    });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/login');
    const cleared = page.cookies.find((cookie) => cookie.name === TOKEN_COOKIE);
    expect(cleared).toMatchObject({ value: '', path: '/' });
    expect(cleared!.expires!.getTime()).toBeLessThan(Date.now());
    const api = await kit.app.inject({ method: 'POST', url: '/logout' });
    expect(api.statusCode).toBe(204);
  });
});

describe('the login flow and the dashboard page', () => {
  it('logs a person in and serves the dashboard, its data and the queue UI with the cookie alone', async () => {
    const login = await kit.app.inject({
      method: 'POST',
      url: '/login',
      headers: FORM,
      payload: form({ token: kit.tokens.everything }),
    });
    const cookies = { [TOKEN_COOKIE]: cookieFrom(login)! };

    const page = await kit.app.inject({ method: 'GET', url: login.headers.location as string, cookies });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const latest = await kit.app.inject({ method: 'GET', url: `/v1/snapshots/latest?forceId=${FORCE}`, cookies });
    expect(latest.statusCode).toBe(200);
    const series = await kit.app.inject({
      method: 'GET',
      url: `/v1/measures/calls.999.answered_within_10s/series?forceId=${FORCE}&from=2021-04-30&to=2022-04-30&period=month`,
      cookies,
    });
    expect(series.json().points).toHaveLength(2);
    const queues = await kit.app.inject({ method: 'GET', url: '/admin/queues', cookies });
    expect(queues.statusCode).toBe(200);

    const logout = await kit.app.inject({ method: 'POST', url: '/logout', headers: FORM, payload: '', cookies });
    expect(cookieFrom(logout)).toBe('');
  });

  it('is a page shell: forces by name, its built script and style from this origin, no inline code', async () => {
    const response = await kit.app.inject({
      method: 'GET',
      url: `/?forceId=${OTHER_FORCE}`,
      headers: kit.bearer('reader'),
    });
    expect(response.statusCode).toBe(200);
    const html = response.body;
    expect(html).toContain(`<option value="${FORCE}">Avon and Somerset</option>`);
    expect(html).toContain(`<option value="${OTHER_FORCE}" selected>Wiltshire</option>`);
    expect(html).toContain('<p id="state" role="status" class="loading">Loading…</p>');
    // A reader is not shown the queue UI it would be refused.
    expect(html).not.toContain('/admin/queues');
    const script = /<script src="(\/dashboard\/assets\/app\.[0-9a-f]{12}\.js)" defer><\/script>/.exec(html)?.[1];
    const style = /<link rel="stylesheet" href="(\/dashboard\/assets\/app\.[0-9a-f]{12}\.css)">/.exec(html)?.[1];
    expect(html).not.toMatch(/<script>|<style>|https?:\/\//);
    const policy = response.headers['content-security-policy'] as string;
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain("style-src 'self'");
    expect(response.headers['referrer-policy']).toBe('same-origin');
    // The assets are public (no data in them) and cached for good under their content hash.
    const asset = await kit.app.inject({ method: 'GET', url: script ?? '/missing' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(asset.body).toContain('echarts');
    expect((await kit.app.inject({ method: 'GET', url: style ?? '/missing' })).headers['content-type']).toBe(
      'text/css; charset=utf-8',
    );
    expect((await kit.app.inject({ method: 'GET', url: '/dashboard/assets/app.000000000000.js' })).statusCode).toBe(
      404,
    );
    const admin = await kit.app.inject({ method: 'GET', url: '/', headers: kit.bearer('everything') });
    expect(admin.body).toContain('<a href="/admin/queues">Queues</a>');
  });

  it('sends a browser without a valid login to /login and back; API clients get their 401', async () => {
    const html = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
    const page = await kit.app.inject({ method: 'GET', url: '/?forceId=wiltshire', headers: html });
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/login');
    const queue = await kit.app.inject({
      method: 'GET',
      url: '/admin/queues/queue/feed.dvpo',
      headers: html,
      cookies: { [TOKEN_COOKIE]: newToken().token },
    });
    expect(queue.statusCode).toBe(303);
    expect(queue.headers.location).toBe('/login?next=%2Fadmin%2Fqueues%2Fqueue%2Ffeed.dvpo');
    expect((await kit.app.inject({ method: 'GET', url: queue.headers.location as string })).statusCode).toBe(200);
    // Logged in without the scope: told so, not sent round in circles.
    expect(
      (
        await kit.app.inject({
          method: 'GET',
          url: '/admin/queues',
          headers: html,
          cookies: { [TOKEN_COOKIE]: kit.tokens.reader },
        })
      ).statusCode,
    ).toBe(403);
    expect((await kit.app.inject({ method: 'GET', url: '/v1/snapshots', headers: html })).statusCode).toBe(401);
    expect(
      (
        await kit.app.inject({
          method: 'GET',
          url: '/admin/queues/api/queues',
          headers: { accept: 'application/json' },
        })
      ).statusCode,
    ).toBe(401);
  });

  it('is 400 for a bad force and 401 without a login', async () => {
    expect(
      (await kit.app.inject({ method: 'GET', url: '/?forceId=%3Cscript%3E', headers: kit.bearer('reader') }))
        .statusCode,
    ).toBe(400);
    expect((await kit.app.inject({ method: 'GET', url: '/' })).statusCode).toBe(401);
  });
});

describe('html helpers', () => {
  it('escape what they embed', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(jsonForScript({ title: '</script><script>alert(1)</script>' })).not.toContain('</script>');
  });
});
