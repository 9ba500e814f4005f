import { exampleEvent } from '@rollcall/contract';
import { createSilentLogger } from '@rollcall/logger';
import { type EntryExplanation, publishSnapshot } from '@rollcall/publishing';
import { storeFeedBatch } from '@rollcall/store';
import {
  createTestDatabase,
  createTestRedis,
  type TestDatabase,
  testIngestContext,
  type TestRedis,
} from '@rollcall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedIo } from '../captured-io.ts';
import { runCli } from '../run-cli.ts';

const FORCE = 'avon-and-somerset';
const R1 = `${FORCE}_2022-03-31_r1`;
const R2 = `${FORCE}_2022-03-31_r2`;
let test: TestDatabase;
let redis: TestRedis;
let env: Record<string, string>;

/** 999 calls presented on `day`: `fast` answered in 5 s, `slow` in 30 s. */
const calls = (day: string, fast: number, slow: number, prefix: string) =>
  Array.from({ length: fast + slow }, (_, i) => {
    const callId = `${prefix}-${i}`;
    const presentedAt = `${day}T10:00:00Z`;
    return [
      exampleEvent('call.presented', {
        eventId: `${callId}-p`,
        occurredAt: presentedAt,
        payload: { callId, btTransferSeconds: 0 },
      }),
      exampleEvent('call.answered', {
        eventId: `${callId}-a`,
        occurredAt: new Date(Date.parse(presentedAt) + (i < fast ? 5_000 : 30_000)).toISOString(),
        payload: { callId },
      }),
    ];
  }).flat();

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
  const context = testIngestContext();
  const deps = {
    db: test.db,
    snapshotDir: null,
    disclosure: { maxSuppressedCount: 4 },
    timeZone: 'Europe/London',
    log: createSilentLogger(),
  };
  await storeFeedBatch(
    test.db,
    { feed: 'call-handling', inputs: calls('2022-03-01', 90, 10, 'mar'), source: 'test' },
    context,
  );
  const dvpo = [1, 2, 3].map((i) =>
    exampleEvent('dvpo.applied', {
      eventId: `dvpo-${i}`,
      occurredAt: '2022-03-05T10:00:00Z',
      payload: { caseRef: `d-${i}`, subjectRef: `S-${i}` },
    }),
  );
  await storeFeedBatch(test.db, { feed: 'dvpo', inputs: dvpo, source: 'test' }, context);
  await publishSnapshot(deps, FORCE, '2022-03-31');
  await storeFeedBatch(
    test.db,
    { feed: 'call-handling', inputs: calls('2022-03-02', 0, 20, 'late'), source: 'test' },
    context,
  );
  const r2 = await publishSnapshot(deps, FORCE, '2022-03-31');
  if (r2.snapshotId !== R2) throw new Error('revision 2 was not published');
});
afterAll(async () => {
  await redis?.destroy();
  await test?.destroy();
});

async function explain(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = capturedIo(env);
  const code = await runCli(['explain', ...args], io);
  return { code, ...io.output() };
}

describe('rollcall explain', () => {
  it('prints the entry, the reads, the day-by-day rows and the change from the revision before', async () => {
    const { code, stdout, stderr } = await explain(R2, 'calls.999.answered_within_10s', '--period', 'month');
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain('999 calls answered within 10 seconds (calls.999.answered_within_10s)\n');
    expect(stdout).toContain(`snapshot ${R2}: ${FORCE} as of 2022-03-31, revision 2 (supersedes ${R1})\n`);
    expect(stdout).toContain('method: value = numerator ÷ denominator × 100\n');
    expect(stdout).toContain('published: value 75.0% (75), numerator 90, denominator 120; flags [r]\n');
    expect(stdout).toContain(
      'recomputed now: value 75.0% (75), numerator 90, denominator 120: matches the published figures\n',
    );
    // Read #1 is the calls answered (denominator), #2 those under 10 s (numerator).
    expect(stdout).toMatch(
      /^#1 +period +2022-03-01\.\.2022-03-31 +total +calls\.999\.answered +all +120 +denominator$/m,
    );
    expect(stdout).toMatch(
      /^#2 +period +2022-03-01\.\.2022-03-31 +sumWhere +calls\.999\.answer_bins +5 +90 +numerator$/m,
    );
    expect(stdout).toMatch(/^2022-03-01 +200 +\S+Z +100 +90$/m);
    expect(stdout).toMatch(/^2022-03-02 +40 +\S+Z +20$/m);
    expect(stdout).toMatch(/^total +240 +120 +90$/m);
    expect(stdout).toContain('coverage (call-handling): 2022-03 240 events\n');
    expect(stdout).toContain('  value: 90 -> 75 (-15)\n  denominator: 100 -> 120 (+20)\n');
    expect(stdout).toMatch(
      / {2}events of the period that arrived in between: 40 event\(s\) stored after \S+ up to \S+\n {4}late-/,
    );
  });

  it('--json gives the explanation, from which the value is derived again', async () => {
    const { code, stdout } = await explain(R2, 'calls.999.answered_within_10s', '--json');
    expect(code).toBe(0);
    const explanation = JSON.parse(stdout) as EntryExplanation;
    const sum = (role: 'numerator' | 'denominator') =>
      explanation
        .derivation!.reads.filter((read) => read.role.includes(role))
        .flatMap((read) => read.rows)
        .reduce((total, row) => total + row.value, 0);
    expect((sum('numerator') / sum('denominator')) * 100).toBe(explanation.published.value);
    expect(explanation.published.value).toBe(75);
  });

  it('says a suppressed entry is suppressed and prints none of its counts or events', async () => {
    const { code, stdout } = await explain(R2, 'dvpo.applied');
    expect(code).toBe(0);
    expect(stdout).toContain('published: value (none), numerator (none), denominator (none); flags [c]\n');
    expect(stdout).toContain('SUPPRESSED [c]: suppressed by disclosure control');
    expect(stdout).toContain('coverage (dvpo): 2022-03 data\n');
    expect(stdout).not.toMatch(/dvpo-[123]|S-[123]|psn_|recomputed|day by day/);
  });

  it('exits 1 naming what is wrong for an unknown snapshot, measure or period, and 2 for a wrong use', async () => {
    expect(await explain(`${FORCE}_2021-01-31_r1`, 'dvpo.applied')).toEqual({
      code: 1,
      stdout: '',
      stderr: `rollcall explain: no snapshot ${FORCE}_2021-01-31_r1\n`,
    });
    const measure = await explain(R2, 'dvpo.nonsense');
    expect(measure.code).toBe(1);
    expect(measure.stderr).toMatch(
      /^rollcall explain: measureId: "dvpo.nonsense" is not in the snapshot; valid: calls.999.answered_within_10s, .*dvpo.applied/,
    );
    expect(await explain(R2, 'dvpo.applied', '--period', 'as-at')).toMatchObject({
      code: 1,
      stderr: 'rollcall explain: period: "as-at" is not in the snapshot; valid: month, rolling-12m, financial-year\n',
    });
    expect(await explain(R2, 'dvpo.applied', '--breakdown', 'grade')).toMatchObject({
      code: 2,
      stderr: 'rollcall explain: --breakdown takes key=value (e.g. grade=emergency), got "grade"\n',
    });
    expect((await explain(R2)).code).toBe(2);
  });
});
