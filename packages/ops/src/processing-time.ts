import type { Queue } from 'bullmq';
import { jobSampleSize, readJobFields } from '@rollcall/queue';

/** Processing time (`finishedOn - processedOn`, the last attempt only) of recently completed jobs. */
export interface ProcessingTime {
  /** Median in milliseconds; null when no completed job is left to sample. */
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  /** How many completed jobs the percentiles come from. */
  readonly sampled: number;
}

/** Default sample: the 200 most recent completed jobs (a p95 then rests on 10 jobs). */
export const DEFAULT_PROCESSING_SAMPLE = 200;

/**
 * Nearest-rank percentile (the smallest value with at least `p`% of values at or below it): always
 * a time some job really took, never an interpolation between two.
 */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] ?? null;
}

/**
 * Reads the timestamps of the `sampleSize` most recently completed jobs. Only the two fields
 * are fetched, not the jobs: a feed job carries up to 1,000 events, so loading 200 whole jobs on
 * every health check would move tens of megabytes out of Redis.
 */
export async function readProcessingTime(
  queue: Queue,
  sampleSize = DEFAULT_PROCESSING_SAMPLE,
): Promise<ProcessingTime> {
  if (sampleSize < 1) return { p50Ms: null, p95Ms: null, sampled: 0 };
  // The completed set is scored by finishedOn; descending order gives the newest first.
  const jobIds = await queue.getRanges(['completed'], 0, jobSampleSize(queue, sampleSize) - 1, false);
  // Sent together, answered in order by Redis: one round trip's worth of waiting, not 200.
  const fields = await readJobFields(queue, jobIds, ['processedOn', 'finishedOn']);
  const durations: number[] = [];
  for (const [processedOn, finishedOn] of fields) {
    // A job removed between the two reads (removeOnComplete) has neither field.
    if (!processedOn || !finishedOn) continue;
    const duration = Number(finishedOn) - Number(processedOn);
    if (Number.isFinite(duration) && duration >= 0) durations.push(duration);
  }
  durations.sort((a, b) => a - b);
  return { p50Ms: percentile(durations, 50), p95Ms: percentile(durations, 95), sampled: durations.length };
}
