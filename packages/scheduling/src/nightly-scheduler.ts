import { addDays, createCalendar } from '@rollcall/calendar';
import type { NightlyRunData } from '@rollcall/queue';
import { JOB_CATALOG, NIGHTLY_QUEUE, type QueueFactory } from '@rollcall/queue';
import { getNextMillis, type JobSchedulerJson, type RepeatOptions } from 'bullmq';
import type { NightlyTrigger } from '@rollcall/db';

/** The job scheduler's id on `scheduler.nightly`; part of the operator interface, keep it stable. */
export const NIGHTLY_SCHEDULER_ID = 'nightly';

export interface NightlyScheduleOptions {
  /**
   * Five-field cron pattern in `timeZone` (config `nightly.cron`, default `30 3 * * *`). 03:30
   * keeps clear of 01:00-02:00, the hour London skips in March and repeats in October, so the
   * run fires exactly once on every local day.
   */
  readonly cron: string;
  /** IANA zone the pattern is read in (config `timeZone`, Europe/London by default). */
  readonly timeZone: string;
  /** First fire not before this instant (epoch ms); default now. */
  readonly startDate?: number;
}

/** The repeat options the scheduler is installed with; `nextNightlyFires` uses the same. */
export function nightlyRepeatOptions(options: NightlyScheduleOptions): Omit<RepeatOptions, 'key'> {
  return {
    pattern: options.cron,
    tz: options.timeZone,
    ...(options.startDate !== undefined ? { startDate: options.startDate } : {}),
  };
}

/**
 * Installs (or replaces) the nightly job scheduler. Idempotent: the scheduler is keyed by
 * NIGHTLY_SCHEDULER_ID, so installing again at every start keeps one scheduler and one delayed
 * job, and installing with another cron or zone replaces the old schedule. Each fire adds a
 * `nightly-run` job (trigger `schedule`) with the catalog's retries and retention.
 */
export async function installNightlySchedule(
  queues: QueueFactory,
  options: NightlyScheduleOptions,
): Promise<JobSchedulerJson> {
  const entry = JOB_CATALOG['nightly-run'];
  const queue = queues.queue(entry.queue());
  await queue.upsertJobScheduler(NIGHTLY_SCHEDULER_ID, nightlyRepeatOptions(options), {
    name: 'nightly-run',
    data: entry.schema.parse({ trigger: 'schedule' } satisfies NightlyRunData),
    opts: entry.options,
  });
  const installed = await queue.getJobScheduler(NIGHTLY_SCHEDULER_ID);
  if (!installed) throw new Error(`job scheduler ${NIGHTLY_SCHEDULER_ID} is missing right after it was installed`);
  return installed;
}

/** Removes the nightly job scheduler and its next job; false when none was installed. */
export async function removeNightlySchedule(queues: QueueFactory): Promise<boolean> {
  return queues.queue(NIGHTLY_QUEUE).removeJobScheduler(NIGHTLY_SCHEDULER_ID);
}

/**
 * The next `count` fire instants (epoch ms) after `from`, computed by BullMQ's own `getNextMillis`
 * (cron-parser, with the zone) from the options the scheduler is installed with: what the
 * scheduler will do, not a re-implementation of it.
 */
export function nextNightlyFires(from: number, count: number, options: NightlyScheduleOptions): number[] {
  const repeat = nightlyRepeatOptions(options);
  const fires: number[] = [];
  let cursor = from;
  while (fires.length < count) {
    const next = getNextMillis(cursor, repeat);
    if (next === undefined) break;
    fires.push(next);
    cursor = next;
  }
  return fires;
}

export interface EnqueueCatchUpOptions {
  readonly timeZone: string;
  /** The clock, epoch ms; `Date.now` by default. */
  readonly now?: () => number;
}

/**
 * Adds a one-off nightly run now (at startup, to catch up what was missed while down, or from the
 * CLI). The job id is deterministic, `nightly-<trigger>-<yesterday>` (yesterday on the reporting
 * calendar: the date the run would publish last), so processes starting together add one job.
 * BullMQ ignores an add while a job with that id exists, which lasts until the job is removed
 * (an hour after completing, a week after failing); a later add only starts a run that finds the
 * ledger up to date. Returns the job id.
 */
export async function enqueueCatchUp(
  queues: QueueFactory,
  trigger: NightlyTrigger,
  options: EnqueueCatchUpOptions,
): Promise<string> {
  const now = (options.now ?? Date.now)();
  const yesterday = addDays(createCalendar(options.timeZone).dayOf(now), -1);
  const jobId = `nightly-${trigger}-${yesterday}`;
  await queues.add('nightly-run', JOB_CATALOG['nightly-run'].queue(), { trigger }, { jobId });
  return jobId;
}
