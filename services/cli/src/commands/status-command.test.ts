import { createServer } from 'node:net';
import { insertRejectedEvents } from '@rollcall/db';
import { createTestDatabase, createTestRedis, type TestDatabase, type TestRedis } from '@rollcall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedIo } from '../captured-io.ts';
import { runCli } from '../run-cli.ts';

let test: TestDatabase;
let redis: TestRedis;
let env: Record<string, string>;
/** A port nothing listens on: taken from the system, then let go. */
let closedPort: number;

beforeAll(async () => {
  test = await createTestDatabase();
  redis = createTestRedis();
  env = { DATABASE_URL: test.url, REDIS_URL: redis.url, QUEUE_PREFIX: redis.prefix, LOG_LEVEL: 'silent' };
  closedPort = await new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });
});
afterAll(async () => {
  await redis?.destroy();
  await test?.destroy();
});

/**
 * Runs `rollcall status <args>` in this process, as `pnpm rollcall` would, with `overrides` on top of the test's env.
 */
async function status(
  args: string[],
  overrides: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = capturedIo({ ...env, ...overrides });
  const code = await runCli(['status', ...args], io);
  return { code, ...io.output() };
}

const urlWith = (url: string, change: (url: URL) => void): string => {
  const parsed = new URL(url);
  change(parsed);
  return parsed.toString();
};

describe('rollcall status when the status cannot be read', () => {
  it('exits 3 (unknown) with one line naming PostgreSQL at a non-default address, and nothing on stdout', async () => {
    const result = await status(['--format', 'json'], {
      DATABASE_URL: urlWith(test.url, (url) => (url.port = String(closedPort))),
    });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      new RegExp(
        `^rollcall status: unknown: PostgreSQL is not reachable at 127\\.0\\.0\\.1:${closedPort} \\(.*ECONNREFUSED.*\\); start it or check DATABASE_URL\\n$`,
      ),
    );
  });

  it('exits 3 naming Redis when Redis does not answer', async () => {
    const result = await status([], { REDIS_URL: `redis://127.0.0.1:${closedPort}` });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^rollcall status: unknown: Redis is not reachable \(.*ECONNREFUSED.*\); start it or check REDIS_URL\n$/,
    );
  });

  it('exits 3 for a database that is missing or not migrated', async () => {
    const missing = await status([], {
      DATABASE_URL: urlWith(test.url, (url) => (url.pathname = '/rc_no_such_database')),
    });
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(
      /^rollcall status: unknown: database "rc_no_such_database" does not exist at .*; run rollcall migrate first\n$/,
    );
    // The server's own database exists and has none of Rollcall's tables.
    const empty = await status([], { DATABASE_URL: urlWith(test.url, (url) => (url.pathname = '/postgres')) });
    expect(empty.code).toBe(3);
    expect(empty.stderr).toMatch(
      /^rollcall status: unknown: relation ".*" does not exist: the database is not migrated; run rollcall migrate\n$/,
    );
  });

  it('exits 3 for bad configuration or options, on one line', async () => {
    const config = await status([], { API_PORT: 'eighty', TZ_REPORTING: 'Mars/Olympus' });
    expect(config.code).toBe(3);
    expect(config.stderr.split('\n')).toHaveLength(2);
    expect(config.stderr).toMatch(
      /^rollcall status: unknown: invalid configuration: API_PORT: .*; TZ_REPORTING: .*\n$/,
    );
    const usage = await status(['--format', 'xml']);
    expect(usage).toEqual({
      code: 3,
      stdout: '',
      stderr:
        'rollcall status: unknown: --format must be one of table, json (got "xml") (usage: rollcall status [--format table|json])\n',
    });
  });
});

describe('rollcall status', () => {
  beforeAll(async () => {
    await insertRejectedEvents(
      test.db,
      [
        'Date "2019-08-01T10:15:00+01:00" is not a date and time like 2019-01-31T14:05:00+00:00',
        'Date "2019-08-02T23:59:00+01:00" is not a date and time like 2019-01-31T14:05:00+00:00',
        'payload.btTransferSeconds: required for 999 calls',
      ].map((reason, index) => ({
        feed: index < 2 ? 'stop-search' : 'call-handling',
        forceId: null,
        eventId: `e-${index}`,
        eventType: null,
        reason,
        source: 'test',
        payload: '{}',
      })),
    );
    const flagged = (entityId: string, flag: string) => ({
      force_id: 'avon-and-somerset',
      kind: 'call',
      entity_id: entityId,
      facts: '[]',
      status: 'answered',
      started_at: null,
      ended_at: null,
      flags: JSON.stringify([flag]),
    });
    await test.db
      .insertInto('entities')
      .values([
        flagged('c-1', 'more than one call.presented: the earliest counts, later ones are ignored'),
        flagged('c-2', 'awaiting call.presented: nothing counted until it arrives'),
      ])
      .execute();
  });

  it('reads the status: critical (exit 2) with no nightly run, rejections grouped by kind, anomalies headed truthfully', async () => {
    const result = await status([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\n');
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^stop-search {2,}Date "\.\.\." is not a date and time like 2019-01-31T14:05:00\+00:00 {2,}2$/,
      ),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^call-handling {2,}payload\.btTransferSeconds {2,}1$/));
    expect(result.stdout).toContain(
      'Lifecycle anomalies (entities flagged; each anomaly says how the entity is counted):',
    );
    expect(result.stdout).not.toContain('not counted until resolved');

    const json = await status(['--format', 'json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({
      status: 'critical',
      rejections: expect.arrayContaining([
        { feed: 'stop-search', reason: expect.stringMatching(/^Date "\.\.\."/), events: 2 },
      ]),
    });
  });
});

describe('rollcall status and the event accounting', () => {
  let own: TestDatabase;
  beforeAll(async () => {
    own = await createTestDatabase();
    // A healthy pipeline otherwise: last night's run succeeded, every queue empty.
    const finished = new Date(Date.now() - 3_600_000).toISOString();
    await own.db
      .insertInto('nightly_runs')
      .values({
        as_of: finished.slice(0, 10),
        state: 'succeeded',
        trigger: 'schedule',
        started_at: finished,
        finished_at: finished,
        error: null,
        published: '[]',
      })
      .execute();
  });
  afterAll(async () => {
    await own?.destroy();
  });

  it('is ok (exit 0) while the counters agree, and critical (exit 2) naming the counter when one disagrees with its table', async () => {
    const healthy = await status(['--format', 'json'], { DATABASE_URL: own.url });
    expect(healthy.code).toBe(0);
    expect(JSON.parse(healthy.stdout)).toMatchObject({ status: 'ok', reasons: [], accountingMismatches: [] });

    // An event row the counters never heard of: an outcome went unrecorded.
    await own.db
      .insertInto('events')
      .values({
        feed: 'dvpo',
        event_id: 'unaccounted-1',
        type: 'dvpo.applied',
        force_id: 'avon-and-somerset',
        occurred_at: '2024-03-01T10:00:00Z',
        entity_kind: 'protection-case',
        entity_id: 'case-1',
        envelope: '{}',
        payload: '{}',
      })
      .execute();
    const json = await status(['--format', 'json'], { DATABASE_URL: own.url });
    expect(json.code).toBe(2);
    const reason =
      'accounting: dvpo avon-and-somerset counts 0 stored but events holds 1; an outcome went unrecorded: keep this output and report it';
    expect(JSON.parse(json.stdout)).toMatchObject({
      status: 'critical',
      reasons: [reason],
      accountingMismatches: [
        {
          feed: 'dvpo',
          forceId: 'avon-and-somerset',
          accountedStored: 0,
          eventsInTable: 1,
          accountedRejected: 0,
          rejectedInTable: 0,
        },
      ],
    });
    const table = await status([], { DATABASE_URL: own.url });
    expect(table.code).toBe(2);
    expect(table.stdout).toContain(`status: critical at `);
    expect(table.stdout).toContain(`  - ${reason}\n`);
  });
});
