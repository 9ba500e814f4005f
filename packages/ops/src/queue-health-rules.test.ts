import type { QueueThresholds } from '@rollcall/config';
import { describe, expect, it } from 'vitest';
import { judgeQueueHealth, type QueueHealthFacts } from './queue-health-rules.ts';

// The configuration's defaults.
const thresholds: QueueThresholds = {
  lagWarnSeconds: 120,
  lagCriticalSeconds: 300,
  backlogWarn: 10_000,
  backlogCritical: 100_000,
  failedWarn: 1,
  failedCritical: 100,
};

const healthy: QueueHealthFacts = {
  queue: 'feed.dvpo',
  waiting: 5,
  delayed: 0,
  prioritized: 0,
  failed: 0,
  oldestWaitingSeconds: 3,
  workers: 2,
};
const judge = (facts: Partial<QueueHealthFacts>, t: QueueThresholds = thresholds) =>
  judgeQueueHealth({ ...healthy, ...facts }, t);

describe('judgeQueueHealth', () => {
  it('is ok with no reasons when nothing reaches a threshold', () => {
    expect(judge({})).toEqual({ status: 'ok', reasons: [] });
    expect(judge({ waiting: 0, oldestWaitingSeconds: null, workers: 0 })).toEqual({ status: 'ok', reasons: [] });
  });

  it('judges lag against the warn and critical thresholds, inclusive', () => {
    expect(judge({ oldestWaitingSeconds: 119.9 }).status).toBe('ok');
    expect(judge({ oldestWaitingSeconds: 120 })).toEqual({
      status: 'warn',
      reasons: ['oldest waiting job is 120 s old (warn at 120 s)'],
    });
    expect(judge({ oldestWaitingSeconds: 340.4 })).toEqual({
      status: 'critical',
      reasons: ['oldest waiting job is 340 s old (critical at 300 s)'],
    });
  });

  it('judges the backlog as waiting + delayed + prioritized', () => {
    expect(judge({ waiting: 4_000, delayed: 3_000, prioritized: 2_999 }).status).toBe('ok');
    expect(judge({ waiting: 4_000, delayed: 3_000, prioritized: 3_000 })).toEqual({
      status: 'warn',
      reasons: ['backlog is 10000 jobs waiting, delayed or prioritized (warn at 10000)'],
    });
    expect(judge({ waiting: 100_000 }).status).toBe('critical');
  });

  it('warns on any failed job by default and is critical from 100', () => {
    expect(judge({ failed: 1 })).toEqual({
      status: 'warn',
      reasons: ['1 failed job (warn at 1); inspect, then rollcall retry-failed --queue feed.dvpo'],
    });
    expect(judge({ failed: 99 }).status).toBe('warn');
    expect(judge({ failed: 100 }).status).toBe('critical');
    expect(judge({ failed: 4 }, { ...thresholds, failedWarn: 5 }).status).toBe('ok');
  });

  it('warns when jobs wait and no worker is connected, but not for delayed jobs alone', () => {
    expect(judge({ workers: 0 })).toEqual({ status: 'warn', reasons: ['5 jobs waiting and no workers connected'] });
    expect(judge({ workers: 0, waiting: 0, oldestWaitingSeconds: null, delayed: 3 }).status).toBe('ok');
  });

  it('lists every rule that fired and takes the worst', () => {
    const verdict = judge({ workers: 0, failed: 2, oldestWaitingSeconds: 400 });
    expect(verdict.status).toBe('critical');
    expect(verdict.reasons).toHaveLength(3);
  });

  it('does not fire a rule whose threshold is 0 on a zero value', () => {
    const zero = { ...thresholds, backlogWarn: 0, lagWarnSeconds: 0 };
    expect(judge({ waiting: 0, oldestWaitingSeconds: null }, zero).status).toBe('ok');
    expect(judge({}, zero).status).toBe('warn');
  });
});

describe('queues consumed outside the system', () => {
  it('does not warn about lag or missing workers, but still about failures', () => {
    const verdict = judgeQueueHealth(
      {
        queue: 'snapshots.published',
        waiting: 40,
        delayed: 0,
        prioritized: 0,
        failed: 0,
        oldestWaitingSeconds: 86_000,
        workers: 0,
        externalConsumers: true,
      },
      thresholds,
    );
    expect(verdict).toEqual({ status: 'ok', reasons: [] });
    const failed = judgeQueueHealth(
      {
        queue: 'snapshots.published',
        waiting: 0,
        delayed: 0,
        prioritized: 0,
        failed: 2,
        oldestWaitingSeconds: null,
        workers: 0,
        externalConsumers: true,
      },
      thresholds,
    );
    expect(failed.status).toBe('warn');
  });
});
