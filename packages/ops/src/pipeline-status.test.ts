import { createTestDatabase, type TestDatabase } from '@rollcall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOpsTestKit } from '../test/ops-test-kit.ts';
import {
  collectStatusReport,
  exitCodeOf,
  formatStatusTable,
  overallStatus,
  type StatusReport,
} from './pipeline-status.ts';
import type { QueueHealth } from './queue-health.ts';

const thresholds = {
  lagWarnSeconds: 120,
  lagCriticalSeconds: 300,
  backlogWarn: 10_000,
  backlogCritical: 100_000,
  failedWarn: 1,
  failedCritical: 100,
};

const queueHealth = (queue: string, overrides: Partial<QueueHealth> = {}): QueueHealth => ({
  queue,
  counts: { waiting: 0, active: 0, delayed: 0, prioritized: 0, failed: 0, completed: 0 },
  backlog: 0,
  completedPerMinute: { lastMinute: 0, mean15m: 0 },
  failedPerMinute: { lastMinute: 0, mean15m: 0 },
  oldestWaitingSeconds: null,
  processingTime: { p50Ms: null, p95Ms: null, sampled: 0 },
  stalledSeen: 0,
  workers: 1,
  recentFailures: [],
  repeatedlyStalled: [],
  status: 'ok',
  reasons: [],
  ...overrides,
});

describe('overallStatus and exitCodeOf', () => {
  it('takes the worst part and maps it to 0, 1 or 2', () => {
    expect(overallStatus([])).toBe('ok');
    expect(overallStatus([{ status: 'ok' }, { status: 'warn' }, { status: 'ok' }])).toBe('warn');
    expect(overallStatus([{ status: 'warn' }, { status: 'critical' }, { status: 'ok' }])).toBe('critical');
    expect([exitCodeOf('ok'), exitCodeOf('warn'), exitCodeOf('critical')]).toEqual([0, 1, 2]);
  });
});

describe('formatStatusTable', () => {
  it('prints one aligned row per queue, then the nightly run and the reasons', () => {
    const report: StatusReport = {
      generatedAt: '2026-11-22T12:00:00.000Z',
      status: 'warn',
      queues: [
        queueHealth('feed.call-handling', {
          counts: { waiting: 12, active: 2, delayed: 0, prioritized: 0, failed: 0, completed: 950 },
          backlog: 12,
          completedPerMinute: { lastMinute: 41, mean15m: 38.47 },
          oldestWaitingSeconds: 3.6,
          processingTime: { p50Ms: 48, p95Ms: 310.4, sampled: 200 },
          workers: 2,
        }),
        queueHealth('feed.dvpo', {
          counts: { waiting: 0, active: 0, delayed: 0, prioritized: 0, failed: 3, completed: 10 },
          failedPerMinute: { lastMinute: 1, mean15m: 0.2 },
          stalledSeen: null,
          status: 'warn',
          reasons: ['3 failed jobs (warn at 1); inspect, then rollcall retry-failed --queue feed.dvpo'],
        }),
      ],
      nightly: {
        status: 'ok',
        lastSuccessAt: '2026-11-22T03:31:00.000Z',
        lastSuccessAsOf: '2026-11-21',
        hoursSinceSuccess: 8.48,
        latestRun: null,
        failedDates: 0,
        reason: null,
      },
      snapshotOutbox: { status: 'ok', undelivered: 0, failingCount: 0, failing: [], reasons: [] },
      reasons: ['feed.dvpo: 3 failed jobs (warn at 1); inspect, then rollcall retry-failed --queue feed.dvpo'],
    };
    expect(formatStatusTable(report)).toBe(
      [
        'queue               waiting  active  delayed  failed  completed   done/min  failed/min  lag s  p50 ms  p95 ms  stalled  workers  status',
        'feed.call-handling       12       2        0       0        950  41 (38.5)     0 (0.0)      4      48     310        0        2  ok',
        'feed.dvpo                 0       0        0       3         10    0 (0.0)     1 (0.2)      -       -       -        -        1  warn',
        '',
        'nightly: ok, last success 2026-11-22T03:31:00.000Z (as of 2026-11-21), 8.5 h ago',
        'snapshot files and messages: ok, 0 undelivered',
        'status: warn at 2026-11-22T12:00:00.000Z (per minute: last complete minute, 15-minute mean in brackets)',
        'reasons:',
        '  - feed.dvpo: 3 failed jobs (warn at 1); inspect, then rollcall retry-failed --queue feed.dvpo',
        '',
      ].join('\n'),
    );
  });
});

describe('collectStatusReport', () => {
  const kit = createOpsTestKit();
  let test: TestDatabase;
  beforeAll(async () => {
    test = await createTestDatabase();
  });
  afterAll(async () => {
    await kit.close();
    await test.destroy();
  });

  it('joins queue health and the nightly dead man into one status with every reason', async () => {
    const now = Date.now();
    const queue = kit.queue('feed.dvpo');
    await queue.add('feed-batch', { n: 1 }, { timestamp: now - 200_000 });
    const report = await collectStatusReport({
      queues: [queue, kit.queue('scheduler.nightly')],
      db: test.db,
      thresholds,
      deadManHours: 26,
      now,
    });
    expect(report).toMatchObject({
      generatedAt: new Date(now).toISOString(),
      status: 'critical',
      nightly: { status: 'critical' },
      reasons: [
        'feed.dvpo: oldest waiting job is 200 s old (warn at 120 s)',
        'feed.dvpo: 1 job waiting and no workers connected',
        'nightly: no nightly run has ever succeeded (none has run)',
      ],
    });
    expect(report.queues.map((q) => [q.queue, q.status])).toEqual([
      ['feed.dvpo', 'warn'],
      ['scheduler.nightly', 'ok'],
    ]);
    expect(exitCodeOf(report.status)).toBe(2);
    // JSON-friendly: survives a round trip unchanged.
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });
});
