import type { QueueThresholds } from '@rollcall/config';
import { type HealthStatus, worstStatus } from './health-status.ts';

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
function judge(value: number, warnAt: number, criticalAt: number, describe: (level: string, threshold: number) => string): Finding | undefined {
  if (!(value > 0)) return undefined;
  if (value >= criticalAt) return { status: 'critical', reason: describe('critical', criticalAt) };
  if (value >= warnAt) return { status: 'warn', reason: describe('warn', warnAt) };
  return undefined;
}

/**
 * Applies the queue thresholds (operations.md, "Queue health"): lag, backlog (waiting + delayed
 * + prioritized) and failed jobs each give `warn` or `critical`; with the default `failedWarn` of
 * 1 any failed job warns. Jobs waiting with no worker connected warn: nothing will take them.
 */
export function judgeQueueHealth(facts: QueueHealthFacts, thresholds: QueueThresholds): QueueVerdict {
  const backlog = facts.waiting + facts.delayed + facts.prioritized;
  const lag = facts.externalConsumers ? 0 : (facts.oldestWaitingSeconds ?? 0);
  const findings = [
    judge(lag, thresholds.lagWarnSeconds, thresholds.lagCriticalSeconds, (level, at) =>
      `oldest waiting job is ${seconds(lag)} old (${level} at ${seconds(at)})`,
    ),
    judge(backlog, thresholds.backlogWarn, thresholds.backlogCritical, (level, at) =>
      `backlog is ${plural(backlog, 'job')} waiting, delayed or prioritized (${level} at ${at})`,
    ),
    judge(facts.failed, thresholds.failedWarn, thresholds.failedCritical, (level, at) =>
      `${plural(facts.failed, 'failed job')} (${level} at ${at}); inspect, then rollcall retry-failed --queue ${facts.queue}`,
    ),
    !facts.externalConsumers && facts.workers === 0 && facts.waiting + facts.prioritized > 0
      ? { status: 'warn' as const, reason: `${plural(facts.waiting + facts.prioritized, 'job')} waiting and no workers connected` }
      : undefined,
  ].filter((finding): finding is Finding => finding !== undefined);
  return { status: worstStatus(findings.map((finding) => finding.status)), reasons: findings.map((finding) => finding.reason) };
}
