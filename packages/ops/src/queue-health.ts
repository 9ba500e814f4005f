import type { QueueThresholds } from '@rollcall/config';
import type { Queue } from 'bullmq';
import type { HealthStatus } from './health-status.ts';
import { readOldestWaitingAge } from './oldest-waiting-age.ts';
import { readThroughput, type Throughput } from './per-minute-rate.ts';
import { DEFAULT_PROCESSING_SAMPLE, type ProcessingTime, readProcessingTime } from './processing-time.ts';
import { judgeQueueHealth } from './queue-health-rules.ts';
import type { StalledRecorder } from './stalled-counter.ts';
import {
  type FailedJobSummary,
  readRecentFailures,
  readRepeatedlyStalled,
  type StalledJobSummary,
} from './troubled-jobs.ts';

/** The job states counted (BullMQ `getJobCounts`). */
export const COUNTED_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'failed', 'completed'] as const;
export type CountedState = (typeof COUNTED_STATES)[number];
export type QueueCounts = Readonly<Record<CountedState, number>>;

/** One queue's health, JSON-ready (for `rollcall status --format json` and `GET /v1/queues`). */
export interface QueueHealth {
  readonly queue: string;
  readonly counts: QueueCounts;
  /** waiting + delayed + prioritized: what is still to be done. */
  readonly backlog: number;
  readonly completedPerMinute: Throughput;
  readonly failedPerMinute: Throughput;
  /**
   * Lag: seconds the longest-waiting job has been ready to be picked up (see `readOldestWaitingAge`); null when nothing
   * waits.
   */
  readonly oldestWaitingSeconds: number | null;
  readonly processingTime: ProcessingTime;
  /** Stalls recorded since the counter began; null when no recorder was given. */
  readonly stalledSeen: number | null;
  /** Workers connected to Redis for this queue (by their client names). */
  readonly workers: number;
  /** The most recent failed jobs (up to FAILED_JOBS_SHOWN), newest first, with their reasons. */
  readonly recentFailures: readonly FailedJobSummary[];
  /** Jobs still to be done that were found stalled more than once (see `readRepeatedlyStalled`). */
  readonly repeatedlyStalled: readonly StalledJobSummary[];
  readonly status: HealthStatus;
  readonly reasons: readonly string[];
}

export interface CollectQueueHealthOptions {
  readonly thresholds: QueueThresholds;
  /** Epoch ms the lag and per-minute figures are measured at; default `Date.now()`. */
  readonly now?: number;
  /** Completed jobs sampled for processing time; default 200. */
  readonly sampleSize?: number;
  /** Where stall counts are read from (see `watchStalled`). */
  readonly stalled?: Pick<StalledRecorder, 'count'>;
  /** Queues consumed outside this system, judged without the lag and no-workers rules. */
  readonly externalConsumers?: readonly string[];
}

/** Reads every queue's health at once; each queue takes a handful of Redis round trips. */
export async function collectQueueHealth(
  queues: readonly Queue[],
  options: CollectQueueHealthOptions,
): Promise<QueueHealth[]> {
  const now = options.now ?? Date.now();
  return Promise.all(queues.map((queue) => collectOne(queue, options, now)));
}

async function collectOne(queue: Queue, options: CollectQueueHealthOptions, now: number): Promise<QueueHealth> {
  const [
    rawCounts,
    completedPerMinute,
    failedPerMinute,
    oldestWaitingSeconds,
    processingTime,
    stalledSeen,
    workers,
    recentFailures,
    repeatedlyStalled,
  ] = await Promise.all([
    queue.getJobCounts(...COUNTED_STATES),
    readThroughput(queue, 'completed', now),
    readThroughput(queue, 'failed', now),
    readOldestWaitingAge(queue, now),
    readProcessingTime(queue, options.sampleSize ?? DEFAULT_PROCESSING_SAMPLE),
    options.stalled ? options.stalled.count(queue.name) : Promise.resolve(null),
    queue.getWorkersCount(),
    readRecentFailures(queue),
    readRepeatedlyStalled(queue),
  ]);
  const counts = Object.fromEntries(COUNTED_STATES.map((state) => [state, rawCounts[state] ?? 0])) as Record<
    CountedState,
    number
  >;
  const externalConsumers = options.externalConsumers?.includes(queue.name) ?? false;
  const verdict = judgeQueueHealth(
    {
      queue: queue.name,
      ...counts,
      oldestWaitingSeconds,
      workers,
      externalConsumers,
      recentFailures,
      repeatedlyStalled,
    },
    options.thresholds,
  );
  return {
    queue: queue.name,
    counts,
    backlog: counts.waiting + counts.delayed + counts.prioritized,
    completedPerMinute,
    failedPerMinute,
    oldestWaitingSeconds,
    processingTime,
    stalledSeen,
    workers,
    recentFailures,
    repeatedlyStalled,
    status: verdict.status,
    reasons: verdict.reasons,
  };
}
