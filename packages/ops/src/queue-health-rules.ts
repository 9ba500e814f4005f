import type { QueueThresholds } from '@rollcall/config';
import { type HealthStatus, worstStatus } from './health-status.ts';
import type { FailedJobSummary, StalledJobSummary } from './troubled-jobs.ts';

/** What the rules look at; everything else in a queue's health is for people to read. */
export interface QueueHealthFacts {
  readonly queue: string;
  readonly waiting: number;
  readonly delayed: number;
  readonly prioritized: number;
  readonly failed: number;
  /** Seconds; null when nothing waits. */
  readonly oldestWaitingSeconds: number | null;
  readonly workers: number;
  /**
   * Consumed outside this system (downstream dashboards on `snapshots.published`): waiting there
   * is normal, so lag and "no workers" do not apply; backlog and failures still do.
   */
  readonly externalConsumers?: boolean;
  /** The newest failed jobs, named with their reasons when the failed-job rule fires. */
  readonly recentFailures?: readonly FailedJobSummary[];
  /** Jobs still to be done that were found stalled more than once: each warns. */
  readonly repeatedlyStalled?: readonly StalledJobSummary[];
}

export interface QueueVerdict {
  readonly status: HealthStatus;
  /** One sentence per rule that fired, with the value and the threshold it reached. */
  readonly reasons: readonly string[];
}

interface Finding {
  readonly status: HealthStatus;
  readonly reason: string;
}

const seconds = (value: number): string => `${Math.floor(value)} s`;
const plural = (count: number, noun: string): string => `${count} ${noun}${count === 1 ? '' : 's'}`;

/**
 * A value at or above the critical threshold is critical, else at or above the warn threshold
 * warns. A rule fires only on a positive value: an empty queue is never unhealthy, and a
 * threshold of 0 (which the configuration allows) does not make every queue warn.
 */
function judge(
  value: number,
  warnAt: number,
  criticalAt: number,
  describe: (level: string, threshold: number) => string,
): Finding | undefined {
  if (!(value > 0)) return undefined;
  if (value >= criticalAt) return { status: 'critical', reason: describe('critical', criticalAt) };
  if (value >= warnAt) return { status: 'warn', reason: describe('warn', warnAt) };
  return undefined;
}

/** The failed jobs named after the failed-job rule: why each failed decides whether to retry it. */
function describeFailures(facts: QueueHealthFacts): string {
  const failures = facts.recentFailures ?? [];
  if (failures.length === 0) return '';
  const which = failures.length < facts.failed ? `the newest ${failures.length}: ` : '';
  const listed = failures.map(
    (job) => `job ${job.jobId} (${job.name}) after ${plural(job.attemptsMade, 'attempt')}: ${job.reason}`,
  );
  return `; ${which}${listed.join('; ')}`;
}

/**
 * Applies the queue thresholds (operations.md, "Queue health"): lag, backlog (waiting + delayed
 * + prioritized) and failed jobs each give `warn` or `critical`; with the default `failedWarn` of
 * 1 any failed job warns, naming the newest failed jobs with their reasons. Jobs waiting with no
 * worker connected warn: nothing will take them. A job found stalled more than once warns: its
 * workers keep dying on it, and BullMQ fails it at the 4th stall (the worker factory's limit).
 */
export function judgeQueueHealth(facts: QueueHealthFacts, thresholds: QueueThresholds): QueueVerdict {
  const backlog = facts.waiting + facts.delayed + facts.prioritized;
  const lag = facts.externalConsumers ? 0 : (facts.oldestWaitingSeconds ?? 0);
  const findings = [
    judge(
      lag,
      thresholds.lagWarnSeconds,
      thresholds.lagCriticalSeconds,
      (level, at) => `oldest waiting job is ${seconds(lag)} old (${level} at ${seconds(at)})`,
    ),
    judge(
      backlog,
      thresholds.backlogWarn,
      thresholds.backlogCritical,
      (level, at) => `backlog is ${plural(backlog, 'job')} waiting, delayed or prioritized (${level} at ${at})`,
    ),
    judge(
      facts.failed,
      thresholds.failedWarn,
      thresholds.failedCritical,
      (level, at) =>
        `${plural(facts.failed, 'failed job')} (${level} at ${at}); inspect, then rollcall retry-failed --queue ${facts.queue}${describeFailures(facts)}`,
    ),
    ...(facts.repeatedlyStalled ?? []).map((job) => ({
      status: 'warn' as const,
      reason: `job ${job.jobId} (${job.name}) stalled ${plural(job.stalls, 'time')}, now ${job.state}: the workers that took it died or held its lock too long; check for out-of-memory kills and long database waits`,
    })),
    !facts.externalConsumers && facts.workers === 0 && facts.waiting + facts.prioritized > 0
      ? {
          status: 'warn' as const,
          reason: `${plural(facts.waiting + facts.prioritized, 'job')} waiting and no workers connected`,
        }
      : undefined,
  ].filter((finding): finding is Finding => finding !== undefined);
  return {
    status: worstStatus(findings.map((finding) => finding.status)),
    reasons: findings.map((finding) => finding.reason),
  };
}
