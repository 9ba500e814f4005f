import { createTestDatabase, createTestRedis, type TestDatabase, type TestRedis } from '@rollcall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedIo } from '../captured-io.ts';
import { runCli } from '../run-cli.ts';

const FORCE = 'avon-and-somerset';
let test: TestDatabase;
let redis: TestRedis;
let env: Record<string, string>;

beforeAll(async () => {
  test = await createTestDatabase();
  redis = createTestRedis();
  env = {
    DATABASE_URL: test.url,
    REDIS_URL: redis.url,
    QUEUE_PREFIX: redis.prefix,
    LOG_LEVEL: 'silent',
    FORCES: FORCE,
  };
});
afterAll(async () => {
  await redis?.destroy();
  await test?.destroy();
});

const run = async (...args: string[]) => {
  const io = capturedIo(env);
  const code = await runCli(args, io);
  return { code, ...io.output() };
};

describe('rollcall release', () => {
  it('schedules a release at 09:30 London time and lists it as embargoed', async () => {
    const scheduled = await run(
      'release',
      'schedule',
      '--force',
      FORCE,
      '--as-of',
      '2099-07-13',
      '--at',
      '2099-07-14T09:30',
      'Europe/London',
    );
    expect(scheduled).toMatchObject({ code: 0, stderr: '' });
    expect(scheduled.stdout).toBe(
      `${FORCE} as of 2099-07-13: released at 2099-07-14T09:30 Europe/London (2099-07-14T08:30:00.000Z); embargoed until then\n`,
    );
    const listed = await run('release', 'list', '--format', 'json');
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({
        forceId: FORCE,
        asOf: '2099-07-13',
        releaseAt: '2099-07-14T08:30:00.000Z',
        releaseAtLocal: '2099-07-14T09:30 Europe/London',
        releasedAt: null,
        state: 'embargoed',
      }),
    ]);
    expect((await run('release', 'access', '--force', FORCE, '--as-of', '2099-07-13')).stdout).toBe(
      `no pre-release access to ${FORCE} as of 2099-07-13\n`,
    );
  });

  it('refuses a time in the past or that does not exist, naming why', async () => {
    const past = await run(
      'release',
      'schedule',
      '--force',
      FORCE,
      '--as-of',
      '2020-01-01',
      '--at',
      '2020-01-02T09:30',
    );
    expect(past.code).toBe(1);
    expect(past.stderr).toMatch(/^rollcall release: schedule: --at: 2020-01-02T09:30:00.000Z is not in the future/);
    const gap = await run('release', 'schedule', '--force', FORCE, '--as-of', '2099-03-28', '--at', '2099-03-29T01:30');
    expect(gap.stderr).toContain('does not exist in Europe/London');
    expect((await run('release', 'schedule', '--force', FORCE)).code).toBe(2);
  });
});
