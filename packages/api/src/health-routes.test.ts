import { createServer, type Server, type Socket } from 'node:net';
import { createDatabase, type Db, MIGRATIONS } from '@rollcall/db';
import { createSilentLogger } from '@rollcall/logger';
import { createRedisConnection, QueueFactory } from '@rollcall/queue';
import { createTestDatabase, type TestDatabase } from '@rollcall/testing';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiTestKit, createApiTestKit } from '../test/api-test-kit.ts';
import { buildApi } from './build-api.ts';

let kit: ApiTestKit;
beforeAll(async () => {
  kit = await createApiTestKit();
});
afterAll(async () => {
  await kit?.close();
});

/**
 * An API over other backing services than the kit's. Closing is bounded: queues on a connection
 * that never came up have nothing to flush.
 */
async function appOver(deps: {
  db?: Db;
  redis?: Redis;
  readinessTimeoutMs?: number;
  metricsTimeoutMs?: number;
}): Promise<{ app: FastifyInstance; close(): Promise<void> }> {
  const log = createSilentLogger();
  const redis = deps.redis ?? kit.redis;
  const queues = new QueueFactory({ connection: redis, prefix: kit.queues.prefix, log });
  const app = buildApi({
    db: deps.db ?? kit.db,
    queues,
    queueConnection: redis,
    config: kit.config,
    log,
    ...(deps.readinessTimeoutMs !== undefined && { readinessTimeoutMs: deps.readinessTimeoutMs }),
    ...(deps.metricsTimeoutMs !== undefined && { metricsTimeoutMs: deps.metricsTimeoutMs }),
  });
  await app.ready();
  return {
    app,
    close: async () => {
      await app.close();
      await Promise.race([queues.close(), new Promise((resolve) => setTimeout(resolve, 1_000))]);
      if (deps.redis) deps.redis.disconnect();
    },
  };
}

describe('GET /health', () => {
  it('says the process is alive', async () => {
    const response = await kit.app.inject({ method: 'GET', url: '/health' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok', uptimeSeconds: expect.any(Number) });
  });

  it('stays up when Redis is gone: liveness is not readiness', async () => {
    const broken = await appOver({ redis: createRedisConnection('redis://127.0.0.1:1', { role: 'producer' }) });
    try {
      expect((await broken.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    } finally {
      await broken.close();
    }
  });
});

describe('GET /ready', () => {
  it('is 200 when Redis and PostgreSQL answer and every migration is applied', async () => {
    const response = await kit.app.inject({ method: 'GET', url: '/ready' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      status: 'ready',
      checks: [
        { check: 'redis', ok: true, ms: expect.any(Number) },
        { check: 'postgres', ok: true, ms: expect.any(Number) },
        { check: 'migrations', ok: true, ms: expect.any(Number) },
      ],
    });
  });

  it('is 503 naming Redis when Redis is gone, at once', async () => {
    const broken = await appOver({ redis: createRedisConnection('redis://127.0.0.1:1', { role: 'producer' }) });
    try {
      const started = Date.now();
      const response = await broken.app.inject({ method: 'GET', url: '/ready' });
      expect(Date.now() - started).toBeLessThan(1_500);
      expect(response.statusCode).toBe(503);
      const body = response.json();
      expect(body).toMatchObject({ error: 'not_ready', message: 'not ready: redis (Redis did not answer PING)' });
      expect(body.details).toEqual([
        expect.objectContaining({ check: 'redis', ok: false }),
        expect.objectContaining({ check: 'postgres', ok: true }),
        expect.objectContaining({ check: 'migrations', ok: true }),
      ]);
      expect(response.body).not.toContain('127.0.0.1');
    } finally {
      await broken.close();
    }
  });

  it('answers /v1/queues and /metrics with a JSON 503 while Redis is gone, rather than hanging', async () => {
    const broken = await appOver({
      redis: createRedisConnection('redis://127.0.0.1:1', { role: 'producer' }),
      metricsTimeoutMs: 300,
    });
    try {
      const queues = await broken.app.inject({ method: 'GET', url: '/v1/queues', headers: kit.bearer('ops') });
      expect(queues.statusCode).toBe(503);
      expect(queues.json()).toEqual({
        error: 'unavailable',
        message: 'queue health could not be read: Redis or PostgreSQL is not answering (see /ready)',
      });
      // BullMQ waits for its connection to come back: the scrape is cut short, not left hanging.
      const metrics = await broken.app.inject({ method: 'GET', url: '/metrics', headers: kit.bearer('ops') });
      expect(metrics.statusCode).toBe(503);
      expect(metrics.json()).toEqual({
        error: 'unavailable',
        message: 'metrics could not be collected within 300 ms: Redis or PostgreSQL is not answering (see /ready)',
      });
    } finally {
      await broken.close();
    }
  });

  it('is 503 within the check timeout when Redis accepts connections but never answers', async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => {
      sockets.add(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    // A connection that queues commands and waits: the worst case a probe can meet.
    const redis = new Redis({
      host: '127.0.0.1',
      port,
      enableReadyCheck: false,
      maxRetriesPerRequest: null,
      enableOfflineQueue: true,
    });
    redis.on('error', () => undefined);
    const broken = await appOver({ redis, readinessTimeoutMs: 300 });
    try {
      const started = Date.now();
      const response = await broken.app.inject({ method: 'GET', url: '/ready' });
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(response.statusCode).toBe(503);
      expect(response.json().message).toBe('not ready: redis (Redis did not answer PING: no answer within 300 ms)');
    } finally {
      await broken.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('is 503 naming PostgreSQL when the database does not exist', async () => {
    const url = new URL(kit.test.url);
    url.pathname = '/rc_no_such_database';
    const db = createDatabase(url.toString(), { maxConnections: 2 });
    const broken = await appOver({ db });
    try {
      const response = await broken.app.inject({ method: 'GET', url: '/ready' });
      expect(response.statusCode).toBe(503);
      const body = response.json();
      expect(body.message).toBe(
        'not ready: postgres (PostgreSQL did not answer select 1); migrations (could not read the applied migrations)',
      );
      expect(body.details[0]).toMatchObject({ check: 'redis', ok: true });
      expect(response.body).not.toContain('rc_no_such_database');
    } finally {
      await broken.close();
      await db.destroy();
    }
  });

  describe('with a migration not applied', () => {
    let behind: TestDatabase;
    const latest = Object.keys(MIGRATIONS).at(-1)!;
    beforeAll(async () => {
      behind = await createTestDatabase();
      // As if the code were newer than the database: the latest migration has not run.
      await sql`delete from schema_migrations where name = ${latest}`.execute(behind.db);
    });
    afterAll(async () => {
      await behind?.destroy();
    });

    it('is 503 naming the pending migration', async () => {
      const broken = await appOver({ db: behind.db });
      try {
        const response = await broken.app.inject({ method: 'GET', url: '/ready' });
        expect(response.statusCode).toBe(503);
        expect(response.json().message).toBe(
          `not ready: migrations (1 migration(s) pending: ${latest} (run rollcall migrate))`,
        );
      } finally {
        await broken.close();
      }
    });
  });
});
