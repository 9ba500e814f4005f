import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ServiceContext } from '@rollcall/runtime';
import { runServices } from '@rollcall/runtime';
import { exampleEvent, type FeedEvent } from '@rollcall/contract';
import { TEST_PSEUDONYM_KEY } from '@rollcall/testing';
import { createWorker } from '@rollcall/queue';
import type { GracefulShutdown } from '@rollcall/runtime';
import {
  createTestDatabase,
  createTestRedis,
  QUEUE_BACKENDS,
  type TestDatabase,
  type TestRedis,
} from '@rollcall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capturedIo, loadServiceRoles, runCli } from '@rollcall/cli';
import { accountingTotals } from './support/accounting-totals.ts';

let database: TestDatabase;
let redis: TestRedis;
let dir: string;
let env: Record<string, string>;
let workers: { shutdown: GracefulShutdown; running: Promise<void>; context: ServiceContext } | undefined;

/** Runs `rollcall <args>` in this process, as `pnpm rollcall` would, capturing both streams. */
async function rollcall(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = capturedIo(env);
  const code = await runCli(args, io);
  return { code, ...io.output() };
}

const line = (event: unknown) => JSON.stringify(event);

/** March 2024 for Avon and Somerset, with every number chosen so that nothing is suppressed. */
function files(): Record<string, string[]> {
  const calls: unknown[] = [];
  for (let i = 0; i < 20; i++) {
    const callId = `call-${i}`;
    const presentedAt = `2024-03-${String(10 + (i % 10)).padStart(2, '0')}T09:00:00Z`;
    // 15 answered in 2 + 5 = 7 s; 5 in 2 + 20 = 22 s.
    const answeredAt = new Date(Date.parse(presentedAt) + (i < 15 ? 5_000 : 20_000)).toISOString();
    calls.push(
      exampleEvent('call.presented', {
        eventId: `${callId}-p`,
        occurredAt: presentedAt,
        payload: { callId, btTransferSeconds: 2 },
      }),
    );
    calls.push(exampleEvent('call.answered', { eventId: `${callId}-a`, occurredAt: answeredAt, payload: { callId } }));
  }
  // 23:30 UTC on 31 March 2024 is 00:30 on 1 April in London (BST began that morning): not March.
  calls.push(
    exampleEvent('call.presented', {
      eventId: 'april-p',
      occurredAt: '2024-03-31T23:30:00Z',
      payload: { callId: 'april', btTransferSeconds: 1 },
    }),
  );
  calls.push(
    exampleEvent('call.answered', {
      eventId: 'april-a',
      occurredAt: '2024-03-31T23:30:20Z',
      payload: { callId: 'april' },
    }),
  );
  const duplicate = calls[0];
  const conflict = { ...(calls[1] as FeedEvent), occurredAt: '2024-03-10T09:00:59Z' };
  const invalid = { ...(calls[2] as FeedEvent), occurredAt: '2024-03-11T09:00:00' };

  const wanted: unknown[] = [];
  for (let i = 0; i < 12; i++) {
    // Six circulated in 2023 (more than 6 months before 31 March 2024), six in 2024: no share
    // of them is a count small enough to be suppressed, nor is its complement.
    const circulatedAt = i < 6 ? `2023-0${1 + i}-15T10:00:00Z` : `2024-0${1 + (i % 3)}-20T10:00:00Z`;
    wanted.push(
      exampleEvent('wanted.circulated', {
        eventId: `w-${i}`,
        occurredAt: circulatedAt,
        payload: {
          circulationId: `circ-${i}`,
          personRef: `PNC-PERSON-${i}`,
          risk: i % 2 === 0 ? 'high' : 'medium',
          team: 'North',
        },
      }),
    );
  }
  wanted.push(
    exampleEvent('wanted.risk-changed', {
      eventId: 'w-rc',
      occurredAt: '2024-03-01T10:00:00Z',
      payload: { circulationId: 'circ-0', risk: 'high' },
    }),
  );

  const dvpo: unknown[] = [];
  for (let i = 0; i < 6; i++) {
    dvpo.push(
      exampleEvent('dvpo.applied', {
        eventId: `d-${i}-a`,
        occurredAt: `2024-03-0${1 + i}T10:00:00Z`,
        payload: { caseRef: `case-${i}`, subjectRef: `SUBJECT-${i}` },
      }),
    );
    dvpo.push(
      exampleEvent('dvpo.decided', {
        eventId: `d-${i}-d`,
        occurredAt: `2024-03-0${2 + i}T10:00:00Z`,
        payload: { caseRef: `case-${i}`, outcome: 'granted' },
      }),
    );
  }

  const searches: unknown[] = [];
  for (let i = 0; i < 7; i++) {
    searches.push(
      exampleEvent('stop-search.recorded', {
        eventId: `s-${i}`,
        occurredAt: `2024-03-1${i}T14:00:00Z`,
        payload: { recordId: `rec-${i}` },
      }),
    );
  }
  return {
    'call-handling': [...calls.map(line), line(duplicate), line(conflict), line(invalid)],
    'wanted-persons': wanted.map(line),
    dvpo: dvpo.map(line),
    'stop-search': searches.map(line),
  };
}

// Every command on both queue backends (issue 18): ingest, drain, status, the failed-job report.
describe.each(QUEUE_BACKENDS)('on %s queues', (queueBackend) => {
  beforeAll(async () => {
    database = await createTestDatabase();
    redis = createTestRedis();
    dir = await mkdtemp(join(tmpdir(), 'rollcall-cli-'));
    env = {
      DATABASE_URL: database.url,
      REDIS_URL: redis.url,
      QUEUE_PREFIX: redis.prefix,
      PSEUDONYM_KEY: TEST_PSEUDONYM_KEY,
      SNAPSHOT_DIR: join(dir, 'snapshots'),
      LOG_LEVEL: 'silent',
      QUEUE_BACKEND: queueBackend,
    };
  });

  afterAll(async () => {
    await workers?.shutdown.shutdown('test finished');
    await workers?.running;
    await redis.destroy();
    await database.destroy();
    await rm(dir, { recursive: true, force: true });
  });

  describe('the pipeline driven through the rollcall command', () => {
    it('migrates (idempotently)', async () => {
      const result = await rollcall('migrate');
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toContain('database schema up to date');
    });

    it('ingests a file per feed, reporting the bad line by number', async () => {
      for (const [feed, lines] of Object.entries(files())) {
        const path = join(dir, `${feed}.ndjson`);
        await writeFile(path, `${lines.join('\n')}\n`);
        const result = await rollcall('ingest', '--feed', feed, path);
        expect(result.code).toBe(0);
        if (feed === 'call-handling') {
          expect(result.stdout).toContain('45 line(s), 44 accepted onto feed.call-handling in 1 job(s), 1 rejected');
          expect(result.stdout).toContain(
            'line 45: occurredAt: must be an ISO 8601 time with seconds and an explicit offset',
          );
        }
      }
    });

    it('drains through the workers', async () => {
      let started!: (value: NonNullable<typeof workers>) => void;
      const ready = new Promise<NonNullable<typeof workers>>((resolve) => (started = resolve));
      const running = runServices(await loadServiceRoles(['workers']), {
        env,
        handleSignals: false,
        onStarted: (shutdown, context) => started({ shutdown, running, context }),
      });
      workers = await ready;
      const result = await rollcall('drain', '--timeout', '120');
      expect(result).toMatchObject({ code: 0 });
      expect(result.stdout).toMatch(/^feed queues drained in \d+\.\d s\n$/);
    });

    it('publishes the snapshot with the four measures exactly', async () => {
      const result = await rollcall('snapshot', '--as-of', '2024-03-31', '--format', 'json');
      expect(result.code).toBe(0);
      const snapshot = JSON.parse(result.stdout) as {
        snapshotId: string;
        measures: { measureId: string; period: { id: string }; breakdown: unknown }[];
      };
      const entry = (measureId: string, periodId: string) =>
        snapshot.measures.find((m) => m.measureId === measureId && m.period.id === periodId && m.breakdown === null);
      expect(snapshot.snapshotId).toBe('avon-and-somerset_2024-03-31_r1');
      // The duplicate changed nothing, the conflicting answer was not applied, April's call is not in March.
      expect(entry('calls.999.answered_within_10s', 'month')).toMatchObject({
        value: 75,
        numerator: 15,
        denominator: 20,
        status: 'nearly met' /* 75% ± 19.0 reaches 90% */,
      });
      expect(entry('wanted.on_pnc_over_6_months', 'as-at')).toMatchObject({ value: 50, numerator: 6, denominator: 12 });
      expect(entry('dvpo.applied', 'month')).toMatchObject({ value: 6, numerator: 6 });
      expect(entry('dvpo.granted', 'month')).toMatchObject({ value: 6, numerator: 6 });
      expect(entry('stopsearch.count', 'month')).toMatchObject({ value: 7, numerator: 7 });
      expect(result.stdout).not.toContain('PNC-PERSON');
      expect(result.stdout).not.toContain('SUBJECT-');
    });

    it('accounts for every offered event, and reports health with an exit code', async () => {
      const result = await rollcall('status', '--format', 'json');
      // No nightly run has ever succeeded here: the dead-man check is critical (exit 2).
      expect(result.code).toBe(2);
      const status = JSON.parse(result.stdout) as {
        accounting: { feed: string; offered: number; stored: number; duplicate: number; rejected: number }[];
        accountingMismatches: unknown[];
        reasons: string[];
      };
      expect(accountingTotals(status.accounting, 'call-handling')).toEqual({
        offered: 45,
        stored: 42,
        duplicate: 1,
        rejected: 2,
      });
      expect(status.accountingMismatches).toEqual([]);
      expect(status.reasons).toContain('nightly: no nightly run has ever succeeded (none has run)');
    });

    it('reports ok (exit 0) once a nightly run has succeeded, and warn (exit 1) for a failed job, naming it', async () => {
      const finished = new Date(Date.now() - 3_600_000).toISOString();
      await database.db
        .insertInto('nightly_runs')
        .values({
          as_of: '2024-03-31',
          state: 'succeeded',
          trigger: 'manual',
          started_at: finished,
          finished_at: finished,
          error: null,
          published: '[]',
        })
        .execute();
      const healthy = await rollcall('status');
      expect({ code: healthy.code, stderr: healthy.stderr }).toEqual({ code: 0, stderr: '' });
      expect(healthy.stdout).toMatch(/^status: ok at \S+ \(per minute/m);
      expect(healthy.stdout).not.toContain('reasons:');

      // One nightly job that used up its (one) attempt; no scheduler runs here to retry it.
      const context = workers!.context;
      const failing = createWorker(
        'scheduler.nightly',
        {
          'nightly-run': async () => {
            throw new Error('snapshot write failed: ENOSPC');
          },
        },
        {
          connection: context.workerConnection('test-failing-nightly'),
          prefix: context.config.queuePrefix,
          concurrency: 1,
          log: context.log,
        },
      );
      const failed = new Promise<void>((resolve) => failing.once('failed', () => resolve()));
      await context.queues
        .queue('scheduler.nightly')
        .add('nightly-run', { trigger: 'manual' }, { jobId: 'manual-run', attempts: 1 });
      await failed;
      await failing.close();
      const warn = await rollcall('status', '--format', 'json');
      expect(warn.code).toBe(1);
      expect(JSON.parse(warn.stdout)).toMatchObject({
        status: 'warn',
        reasons: [
          'scheduler.nightly: 1 failed job (warn at 1); inspect, then rollcall retry-failed --queue scheduler.nightly; job manual-run (nightly-run) after 1 attempt: snapshot write failed: ENOSPC',
        ],
      });
      await context.queues.queue('scheduler.nightly').obliterate({ force: true });
    });

    it('replays a range of days through the command, with its summary line, and refuses a range that ends before it starts', async () => {
      const result = await rollcall('replay', '--from', '2024-03-01', '--to', '2024-03-31');
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(
        /^replayed 74 events into \d+ entities and \d+ aggregate rows for 2024-03-01 to 2024-03-31 in \d+\.\d s \(\d+ events\/s\); 0 row\(s\) differed from live processing\n$/,
      );
      // The same figures as one JSON object, for scripts (and the benchmark, which runs replay as deployed).
      const json = await rollcall('replay', '--from', '2024-03-01', '--to', '2024-03-31', '--format', 'json');
      expect({ code: json.code, stderr: json.stderr }).toEqual({ code: 0, stderr: '' });
      expect(JSON.parse(json.stdout)).toEqual({
        from: '2024-03-01',
        to: '2024-03-31',
        events: 74,
        entities: expect.any(Number),
        aggregateRows: expect.any(Number),
        changedRows: 0,
        staleSnapshotHeads: 0,
        seconds: expect.any(Number),
        firstEventsSeconds: expect.any(Number),
        readSeconds: expect.any(Number),
      });
      expect(await rollcall('replay', '--format', 'xml')).toMatchObject({
        code: 2,
        stdout: '',
        stderr: expect.stringContaining('--format must be one of text, json (got "xml")'),
      });
      expect(await rollcall('replay', '--from', '2024-03-31', '--to', '2024-03-01')).toEqual({
        code: 2,
        stdout: '',
        stderr: 'rollcall replay: --to is before --from\n',
      });
      expect(await rollcall('replay', '--from', '2024-02-30')).toEqual({
        code: 2,
        stdout: '',
        stderr: 'rollcall replay: --from must be a date YYYY-MM-DD (got "2024-02-30")\n',
      });
      expect(await rollcall('replay', '--lanes', '0')).toEqual({
        code: 2,
        stdout: '',
        stderr: 'rollcall replay: --lanes must be a whole number from 1 to 16 (got "0")\n',
      });
      expect(await rollcall('replay', '--entities', '--lanes', '2')).toEqual({
        code: 2,
        stdout: '',
        stderr:
          'rollcall replay: --entities folds on one lane (entity rows are written in its transaction); leave out --lanes\n',
      });
      expect(await rollcall('replay', '--since', '2024-03-01')).toMatchObject({
        code: 2,
        stdout: '',
        stderr: expect.stringMatching(/^rollcall replay: Unknown option '--since'/),
      });
    });

    it('shows the published snapshot as CSV, and wrote its files', async () => {
      const result = await rollcall('snapshot', 'show', '--latest', '--format', 'csv');
      expect(result.code).toBe(0);
      expect(result.stdout.split('\r\n')[0]).toMatch(/^snapshot_id,force_id,as_of,revision,measure_id,/);
      const latest = JSON.parse(await readFile(join(dir, 'snapshots', 'avon-and-somerset', 'latest.json'), 'utf8')) as {
        snapshotId: string;
      };
      expect(latest.snapshotId).toBe('avon-and-somerset_2024-03-31_r1');
    });

    it('explains usage mistakes in one line', async () => {
      expect(await rollcall('ingest', '--feed', 'traffic', 'x.ndjson')).toMatchObject({
        code: 2,
        stderr: 'rollcall --feed must be one of call-handling, wanted-persons, dvpo, stop-search (got "traffic")\n',
      });
      expect(await rollcall('snapshot', '--as-of', '2024-02-30')).toMatchObject({ code: 2 });
      const missing = await rollcall('ingest', '--feed', 'dvpo', join(dir, 'missing.ndjson'));
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(
        /^rollcall ingest: IngestFileError: cannot read .*missing\.ndjson: no such file\n$/,
      );
    });
  });
});
