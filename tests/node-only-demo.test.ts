import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { capturedIo, demoCommand } from '@rollcall/cli';
import { closedPort, createTestDatabase, createTestRedis } from '@rollcall/testing';
import { afterAll, expect, test, vi } from 'vitest';

// No Docker either: testcontainers looks here first, and finds nothing. Undone after the file:
// its worker runs other files next (vitest.config.ts, `isolate: false`).
vi.stubEnv('DOCKER_HOST', 'unix:///nonexistent/docker.sock');
afterAll(() => vi.unstubAllEnvs());

/** The part of the demo's output that is the published figures: the snapshot line and the measures table. */
function publishedPart(stdout: string): { readonly published: string[]; readonly table: string } {
  const published = stdout
    .split('\n')
    .filter((line) => /^published \S+ \(\d+ measure entries, content [0-9a-f]+\)$/.test(line));
  const start = stdout.search(/^Avon and Somerset.*, snapshot /m);
  const end = stdout.indexOf('\nfiles: ');
  return { published, table: start >= 0 && end > start ? stdout.slice(start, end) : '' };
}

/**
 * Issue 18: a laptop with Node and nothing else. The same demo (month 2024-01, its fixed seed, 1%
 * volume) runs once on this machine's PostgreSQL and Redis, and once with DATABASE_URL and
 * REDIS_URL pointing at closed ports and no Docker: that run starts an embedded PostgreSQL, puts
 * every queue in it, and must print the same snapshot, figure for figure.
 */
test('pnpm demo with no PostgreSQL, Redis or Docker runs on embedded PostgreSQL and prints the same snapshot', async () => {
  const database = await createTestDatabase();
  const redis = createTestRedis();
  const dirs = [
    await mkdtemp(join(tmpdir(), 'rollcall-demo-redis-')),
    await mkdtemp(join(tmpdir(), 'rollcall-demo-embedded-')),
  ];
  // Under the repository's var/ like the real one (var/embedded-postgres): the postgres user the
  // server switches to when run as root cannot enter the system temp folder's 0700 folders.
  const embeddedDir = resolve(import.meta.dirname, '..', 'var', `test-node-only-demo-${process.pid}`);
  try {
    const onRedis = capturedIo({
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      LOG_LEVEL: 'silent',
      SNAPSHOT_DIR: join(dirs[0] ?? '', 'snapshots'),
    });
    const redisStarted = performance.now();
    expect(
      await demoCommand(['--scale', '0.01'], onRedis, {
        database: database.name,
        prefix: redis.prefix,
        dir: dirs[0] ?? '',
      }),
    ).toBe(0);
    const redisMs = performance.now() - redisStarted;

    const nodeOnly = capturedIo({
      DATABASE_URL: `postgres://postgres@127.0.0.1:${await closedPort()}/rollcall`,
      REDIS_URL: `redis://127.0.0.1:${await closedPort()}`,
      LOG_LEVEL: 'silent',
      SNAPSHOT_DIR: join(dirs[1] ?? '', 'snapshots'),
    });
    const embeddedStarted = performance.now();
    const code = await demoCommand(['--scale', '0.01'], nodeOnly, {
      database: 'rollcall_demo',
      prefix: 'rollcall-demo',
      dir: dirs[1] ?? '',
      embeddedDir,
    });
    const embeddedMs = performance.now() - embeddedStarted;
    const { stdout, stderr } = nodeOnly.output();
    expect(code, stderr).toBe(0);
    console.log(
      `demo at 1%: ${(redisMs / 1000).toFixed(1)} s on PostgreSQL + Redis, ${(embeddedMs / 1000).toFixed(1)} s on embedded PostgreSQL (first start, initdb included)`,
    );

    // One line says what was started and why.
    expect(stdout).toMatch(
      /^Started embedded PostgreSQL 17 \(.*test-node-only-demo-\d+, new, 127\.0\.0\.1:\d+, [\d.]+ s\) with the queues in it \(QUEUE_BACKEND=postgres\), because PostgreSQL is not reachable at 127\.0\.0\.1:\d+ \(connect ECONNREFUSED 127\.0\.0\.1:\d+\) and no container could be started; it stops when this ends\.$/m,
    );
    expect(stdout).toContain('PostgreSQL: embedded; queues: PostgreSQL');

    const expected = publishedPart(onRedis.output().stdout);
    const actual = publishedPart(stdout);
    expect(expected.published).toHaveLength(1);
    expect(expected.table).toContain('calls.999.answered_within_10s');
    expect(actual).toEqual(expected);
  } finally {
    await redis.destroy();
    await database.destroy();
    await Promise.all([...dirs, embeddedDir].map((dir) => rm(dir, { recursive: true, force: true })));
  }
}, 300_000);
