import { createHash, randomBytes } from 'node:crypto';
import type { ApiScope, Config } from '@rollcall/config';
import { loadConfig } from '@rollcall/config';
import type { Db } from '@rollcall/db';
import { storeFeedBatch } from '@rollcall/store';
import { testIngestContext } from '@rollcall/testing';
import { createSilentLogger, type Logger } from '@rollcall/logger';
import { publishSnapshot, type PublishDeps } from '@rollcall/publishing';
import { createRedisConnection, QueueFactory, waitForRedisReady } from '@rollcall/queue';
import { createTestDatabase, createTestRedis, type TestDatabase } from '@rollcall/testing';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { buildApi } from '../src/build-api.ts';

/**
 * Test-only (imported by `*.test.ts`, not by the barrel): an API over a database and a queue
 * prefix of the test file's own, with one freshly made token per scope set. Tokens exist only in
 * the test: the configuration holds their SHA-256, as in production.
 */

export const FORCE = 'avon-and-somerset';
export const OTHER_FORCE = 'wiltshire';

export interface TestToken {
  readonly token: string;
  readonly sha256: string;
}

export function newToken(): TestToken {
  const token = `rc_${randomBytes(24).toString('base64url')}`;
  return { token, sha256: createHash('sha256').update(token).digest('hex') };
}

export const TOKEN_SCOPES = {
  reader: ['read:snapshots'],
  ops: ['read:ops'],
  admin: ['admin'],
  everything: ['read:snapshots', 'read:ops', 'admin'],
} as const satisfies Record<string, readonly ApiScope[]>;

export type TokenName = keyof typeof TOKEN_SCOPES;

export interface ApiTestKit {
  readonly app: FastifyInstance;
  readonly test: TestDatabase;
  readonly db: Db;
  readonly config: Config;
  readonly redis: Redis;
  readonly queues: QueueFactory;
  readonly tokens: Readonly<Record<TokenName, string>>;
  /** `{ authorization: 'Bearer ...' }` for the named token. */
  bearer(name: TokenName): { authorization: string };
  close(): Promise<void>;
}

export function testConfig(options: {
  tokens: Readonly<Record<TokenName, TestToken>>;
  databaseUrl: string;
  redisUrl: string;
  prefix: string;
  forces?: string;
}): Config {
  return loadConfig({
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
    QUEUE_PREFIX: options.prefix,
    FORCES: options.forces ?? `${FORCE},${OTHER_FORCE}`,
    API_TOKENS: JSON.stringify(
      (Object.keys(TOKEN_SCOPES) as TokenName[]).map((name) => ({
        name,
        sha256: options.tokens[name].sha256,
        scopes: TOKEN_SCOPES[name],
      })),
    ),
  });
}

export async function createApiTestKit(options: { log?: Logger; forces?: string } = {}): Promise<ApiTestKit> {
  const test = await createTestDatabase();
  const testRedis = createTestRedis();
  const made = Object.fromEntries(Object.keys(TOKEN_SCOPES).map((name) => [name, newToken()])) as Record<
    TokenName,
    TestToken
  >;
  const config = testConfig({
    tokens: made,
    databaseUrl: test.url,
    redisUrl: testRedis.url,
    prefix: testRedis.prefix,
    ...(options.forces && { forces: options.forces }),
  });
  const log = options.log ?? createSilentLogger();
  const redis = createRedisConnection(testRedis.url, { role: 'producer' });
  await waitForRedisReady(redis);
  const queues = new QueueFactory({ connection: redis, prefix: testRedis.prefix, log });
  // Tests send hundreds of requests from one address; the limits have their own test (rate-limits.test.ts).
  const app = buildApi({
    db: test.db,
    queues,
    queueConnection: redis,
    config,
    log,
    rateLimits: { loginPerMinute: 100_000, apiPerMinute: 100_000 },
  });
  await app.ready();
  const tokens = Object.fromEntries(Object.entries(made).map(([name, token]) => [name, token.token])) as Record<
    TokenName,
    string
  >;
  return {
    app,
    test,
    db: test.db,
    config,
    redis,
    queues,
    tokens,
    bearer: (name) => ({ authorization: `Bearer ${tokens[name]}` }),
    async close() {
      try {
        await app.close();
        await queues.close();
      } finally {
        redis.disconnect();
        await testRedis.destroy();
        await test.destroy();
      }
    },
  };
}

/** Calls presented on `day` (UTC 10:00): `fast` answered in 5 s, `slow` in 30 s. */
function calls(day: string, fast: number, slow: number, prefix: string, forceId = FORCE): unknown[] {
  const events: unknown[] = [];
  for (let i = 0; i < fast + slow; i++) {
    const callId = `${prefix}-${i}`;
    const presentedAt = `${day}T10:00:00Z`;
    const base = { feed: 'call-handling', forceId, schemaVersion: 1 };
    events.push({
      ...base,
      eventId: `${callId}-p`,
      type: 'call.presented',
      occurredAt: presentedAt,
      payload: { callId, channel: '999', queue: 'primary', btTransferSeconds: 0 },
    });
    const answeredAt = new Date(Date.parse(presentedAt) + (i < fast ? 5_000 : 30_000)).toISOString();
    events.push({
      ...base,
      eventId: `${callId}-a`,
      type: 'call.answered',
      occurredAt: answeredAt,
      payload: { callId },
    });
  }
  return events;
}

/** Three DVPO applications: a count of 3, suppressed as [c] on publication. */
const dvpoApplications = (day: string): unknown[] =>
  [1, 2, 3].map((i) => ({
    eventId: `dvpo-${day}-${i}`,
    feed: 'dvpo',
    type: 'dvpo.applied',
    forceId: FORCE,
    occurredAt: `${day}T10:00:00Z`,
    schemaVersion: 1,
    payload: { caseRef: `d-${day}-${i}`, subjectRef: `S-${i}` },
  }));

export interface PublishedExamples {
  /** `avon-and-somerset_2022-03-31_r1`, superseded by r2 (late events). */
  readonly marchR1: string;
  readonly marchR2: string;
  readonly april: string;
}

/**
 * Real snapshots through the real publication path: March published, then April, then late March
 * events revise March. The 999 answered-within-10s month figures are then 90% (March r1), 75%
 * (March r2: 90 of 120) and 90% (April: 45 of 50).
 */
export async function publishExamples(db: Db): Promise<PublishedExamples> {
  const context = testIngestContext();
  const deps: PublishDeps = {
    db,
    snapshotDir: null,
    disclosure: { maxSuppressedCount: 4 },
    timeZone: 'Europe/London',
    log: createSilentLogger(),
  };
  await storeFeedBatch(
    db,
    { feed: 'call-handling', inputs: calls('2022-03-01', 90, 10, 'mar'), source: 'test' },
    context,
  );
  await storeFeedBatch(db, { feed: 'dvpo', inputs: dvpoApplications('2022-03-05'), source: 'test' }, context);
  const marchR1 = await publishSnapshot(deps, FORCE, '2022-03-31');
  await storeFeedBatch(
    db,
    { feed: 'call-handling', inputs: calls('2022-04-05', 45, 5, 'apr'), source: 'test' },
    context,
  );
  const april = await publishSnapshot(deps, FORCE, '2022-04-30');
  await storeFeedBatch(
    db,
    { feed: 'call-handling', inputs: calls('2022-03-02', 0, 20, 'late'), source: 'test' },
    context,
  );
  const marchR2 = await publishSnapshot(deps, FORCE, '2022-03-31');
  if (!marchR1.created || !april.created || !marchR2.created || marchR2.revision !== 2)
    throw new Error('example snapshots were not published as expected');
  return { marchR1: marchR1.snapshotId, marchR2: marchR2.snapshotId, april: april.snapshotId };
}

/** Parses RFC 4180 CSV text (quoted fields, doubled quotes, CRLF) into rows of fields. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += char;
  }
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows;
}

/** CSV rows as records keyed by the header row. */
export function csvRecords(text: string): { header: string[]; records: Record<string, string>[] } {
  const [header = [], ...rows] = parseCsv(text);
  return {
    header,
    records: rows.map((row) => Object.fromEntries(header.map((column, index) => [column, row[index] ?? '']))),
  };
}

/** The last day of each month from April 2022 to March 2023: financial year 2022/23. */
export const YEAR_MONTH_ENDS = [
  '2022-04-30',
  '2022-05-31',
  '2022-06-30',
  '2022-07-31',
  '2022-08-31',
  '2022-09-30',
  '2022-10-31',
  '2022-11-30',
  '2022-12-31',
  '2023-01-31',
  '2023-02-28',
  '2023-03-31',
] as const;

/**
 * A year of data as a BI tool sees it: 999 calls on the 10th of every month of financial year
 * 2022/23, and a snapshot at each month end (12 head snapshots of `FORCE`).
 */
export async function publishYear(db: Db): Promise<readonly string[]> {
  const context = testIngestContext();
  const deps: PublishDeps = {
    db,
    snapshotDir: null,
    disclosure: { maxSuppressedCount: 4 },
    timeZone: 'Europe/London',
    log: createSilentLogger(),
  };
  const ids: string[] = [];
  for (const [index, monthEnd] of YEAR_MONTH_ENDS.entries()) {
    const day = `${monthEnd.slice(0, 8)}10`;
    await storeFeedBatch(
      db,
      { feed: 'call-handling', inputs: calls(day, 40 + index, 10, `y${index}`), source: 'test' },
      context,
    );
    const published = await publishSnapshot(deps, FORCE, monthEnd);
    ids.push(published.snapshotId);
  }
  return ids;
}
