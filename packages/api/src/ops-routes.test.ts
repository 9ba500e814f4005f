import { ALL_QUEUE_NAMES } from '@rollcall/queue';
import type { FastifyInstance } from 'fastify';
import { Gauge, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiTestKit, createApiTestKit } from '../test/api-test-kit.ts';
import { TOKEN_COOKIE } from './auth.ts';
import { buildMetricsServer } from './metrics-server.ts';

let kit: ApiTestKit;
beforeAll(async () => {
  kit = await createApiTestKit();
  await kit.queues.queue('feed.dvpo').add('feed-batch', { n: 1 });
});
afterAll(async () => {
  await kit.queues.queue('feed.dvpo').obliterate({ force: true });
  await kit.queues.queue('feed.wanted-persons').obliterate({ force: true });
  await kit?.close();
});

describe('GET /metrics', () => {
  it('gives the Prometheus text with the rollcall_ metrics and Node process metrics', async () => {
    const response = await kit.app.inject({ method: 'GET', url: '/metrics', headers: kit.bearer('ops') });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = response.body;
    for (const name of [
      'rollcall_queue_jobs',
      'rollcall_queue_oldest_waiting_seconds',
      'rollcall_events_total',
      'rollcall_job_duration_seconds',
      'rollcall_snapshot_published_total',
      'process_cpu_user_seconds_total',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(text).toContain(`# TYPE ${name} `);
    }
    expect(text).toContain('rollcall_queue_jobs{queue="feed.dvpo",state="waiting"} 1');
  });
});

describe('buildMetricsServer', () => {
  let server: FastifyInstance;
  beforeAll(async () => {
    const registry = new Registry();
    new Gauge({ name: 'rollcall_test_gauge', help: 'a gauge of the test', registers: [registry] });
    server = buildMetricsServer(registry);
    await server.ready();
  });
  afterAll(async () => {
    await server.close();
  });

  it('serves /metrics without a token', async () => {
    const response = await server.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('# TYPE rollcall_test_gauge gauge');
  });

  it('serves nothing else', async () => {
    const response = await server.inject({ method: 'GET', url: '/v1/snapshots' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toEqual({ error: 'not_found', message: 'no route for GET /v1/snapshots' });
  });
});

describe('GET /v1/queues', () => {
  it('gives the status report of every queue', async () => {
    const response = await kit.app.inject({ method: 'GET', url: '/v1/queues', headers: kit.bearer('ops') });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    const report = response.json();
    expect(report).toMatchObject({
      status: expect.stringMatching(/^(ok|warn|critical)$/),
      generatedAt: expect.any(String),
      nightly: expect.any(Object),
    });
    expect(report.queues.map((queue: { queue: string }) => queue.queue).sort()).toEqual([...ALL_QUEUE_NAMES].sort());
    const dvpo = report.queues.find((queue: { queue: string }) => queue.queue === 'feed.dvpo');
    expect(dvpo.counts.waiting).toBe(1);
    expect(dvpo.stalledSeen).toBe(0);
  });

  it('takes no parameters', async () => {
    const response = await kit.app.inject({ method: 'GET', url: '/v1/queues?format=csv', headers: kit.bearer('ops') });
    expect(response.statusCode).toBe(400);
    expect(response.json().details).toEqual([{ in: 'query', path: 'format', message: 'unknown parameter' }]);
  });
});

describe('/admin/queues', () => {
  it('serves the bull-board page to an admin token', async () => {
    const response = await kit.app.inject({ method: 'GET', url: '/admin/queues', headers: kit.bearer('admin') });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.body).toContain('<base href="/admin/queues/"');
    expect(response.body).toContain('Rollcall queues');
  });

  it('serves its API and its assets to the login cookie, as a browser sends them', async () => {
    const cookies = { [TOKEN_COOKIE]: kit.tokens.admin };
    const api = await kit.app.inject({ method: 'GET', url: '/admin/queues/api/queues', cookies });
    expect(api.statusCode).toBe(200);
    const names = (api.json() as { queues: { name: string }[] }).queues.map((queue) => queue.name);
    expect(names.sort()).toEqual([...ALL_QUEUE_NAMES].sort());

    const page = await kit.app.inject({ method: 'GET', url: '/admin/queues', cookies });
    const asset = /(static\/[^"]+\.css)/.exec(page.body)?.[1];
    expect(asset).toBeDefined();
    const css = await kit.app.inject({ method: 'GET', url: `/admin/queues/${asset}`, cookies });
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    const refused = await kit.app.inject({ method: 'GET', url: `/admin/queues/${asset}` });
    expect(refused.statusCode).toBe(401);
  });

  it('shows job data with every person reference hidden, at any depth', async () => {
    const queue = kit.queues.queue('feed.wanted-persons');
    const data = {
      events: [
        { eventId: 'w-1', type: 'wanted.circulated', payload: { circulationId: 'c-1', personRef: 'PNC-CLEAR-1' } },
        {
          eventId: 'w-2',
          payload: { notes: [{ deeper: { subjectRef: 'SUBJECT-CLEAR-2' } }], personRef: { pnc: 'PNC-CLEAR-3' } },
        },
      ],
    };
    const job = await queue.add('feed-batch', data, { jobId: 'shows-hidden' });
    const admin = kit.bearer('admin');
    const list = await kit.app.inject({
      method: 'GET',
      url: '/admin/queues/api/queues?activeQueue=feed.wanted-persons&status=waiting&page=1',
      headers: admin,
    });
    const one = await kit.app.inject({
      method: 'GET',
      url: `/admin/queues/api/queues/feed.wanted-persons/${job.id}`,
      headers: admin,
    });
    for (const response of [list, one]) {
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('shows-hidden');
      expect(response.body).not.toMatch(/CLEAR/);
    }
    expect(one.json().job.data).toEqual({
      events: [
        { eventId: 'w-1', type: 'wanted.circulated', payload: { circulationId: 'c-1', personRef: '[redacted]' } },
        { eventId: 'w-2', payload: { notes: [{ deeper: { subjectRef: '[redacted]' } }], personRef: '[redacted]' } },
      ],
    });
    // Only the view: the job itself is as it was queued.
    expect((await queue.getJob('shows-hidden'))?.data).toEqual(data);
  });

  it('refuses job data copied back from the view with a hidden reference, and takes a real one', async () => {
    const queue = kit.queues.queue('feed.wanted-persons');
    await queue.add('feed-batch', { eventId: 'w-3', payload: { personRef: 'PNC-KEPT' } }, { jobId: 'edited' });
    const admin = kit.bearer('admin');
    const edit = await kit.app.inject({
      method: 'PATCH',
      url: '/admin/queues/api/queues/feed.wanted-persons/edited/update-data',
      headers: admin,
      payload: { jobData: { eventId: 'w-3', payload: { personRef: '[redacted]' } } },
    });
    expect(edit.statusCode).toBe(400);
    expect(edit.json()).toEqual({
      error: 'bad_request',
      message: expect.stringContaining('[redacted] where the queue UI hid a person reference'),
    });
    expect((await queue.getJob('edited'))?.data).toEqual({ eventId: 'w-3', payload: { personRef: 'PNC-KEPT' } });

    const copy = await kit.app.inject({
      method: 'POST',
      url: '/admin/queues/api/queues/feed.wanted-persons/add',
      headers: admin,
      payload: {
        name: 'feed-batch',
        data: { events: [{ eventId: 'w-4', payload: { subjectRef: '[redacted]' } }] },
        options: {},
      },
    });
    expect(copy.statusCode).toBe(400);
    const typed = await kit.app.inject({
      method: 'POST',
      url: '/admin/queues/api/queues/feed.wanted-persons/add',
      headers: admin,
      payload: { name: 'feed-batch', data: { eventId: 'w-5', payload: { personRef: 'PNC-TYPED' } }, options: {} },
    });
    expect(typed.statusCode).toBe(200);
  });

  it('refuses tokens without the admin scope, the page and its API alike', async () => {
    for (const url of ['/admin/queues', '/admin/queues/queue/feed.dvpo', '/admin/queues/api/queues']) {
      const response = await kit.app.inject({ method: 'GET', url, headers: kit.bearer('ops') });
      expect(response.statusCode, url).toBe(403);
      expect(response.json()).toEqual({ error: 'forbidden', message: 'requires scope admin' });
    }
    const retry = await kit.app.inject({
      method: 'PUT',
      url: '/admin/queues/api/queues/feed.dvpo/retry/failed',
      headers: kit.bearer('reader'),
    });
    expect(retry.statusCode).toBe(403);
  });
});
