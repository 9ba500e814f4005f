import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { basename } from 'node:path';
import { IngestFileError } from './ingest-ndjson-file.ts';
import {
  type Db,
  findLatestIngestRun,
  type IngestRun,
  listIngestRunsSince,
  type ManifestJobProgress,
  readManifestProgress,
  recordIngestRunFinished,
  recordIngestRunStarted,
  recordManifestJob,
  recordRejectionsThroughLine,
} from '@rollcall/db';
import type { Feed } from '@rollcall/contract';
import { feedQueueName, type QueueFactory } from '@rollcall/queue';

/** A job as the file reader forms it, before it is added. */
export interface JobDraft {
  readonly jobIndex: number;
  readonly firstLine: number;
  readonly lastLine: number;
  readonly eventIds: readonly string[];
}

/**
 * What `rollcall ingest` keeps of a run in PostgreSQL (migration 15): every job is recorded before
 * it is added, under a job id of the run (`ingest-<run>-<n>`), so a job a dying Redis primary
 * acknowledged and lost is still known, and `--resume` adds exactly the lost ones again.
 */
export interface IngestManifest {
  /** Rejected lines up to this one were kept by the run resumed (0 for a new run): not kept again. */
  readonly rejectionsThroughLine: number;
  /** Rejections of lines up to `line` are now kept (in rejected_events, accounted). */
  rejectionsRecorded(line: number): Promise<void>;
  /** The job id to add the job with, or null to leave it (resume: stored, or still in Redis). */
  beforeAdd(job: JobDraft): Promise<string | null>;
  finish(totals: { lines: number; rejectedLines: number; jobs: number }): Promise<void>;
}

export const manifestJobId = (runId: string, jobIndex: number): string => `ingest-${runId}-${jobIndex}`;

const digestOf = (eventIds: readonly string[]): string =>
  createHash('sha256').update(eventIds.join('\n')).digest('hex');

/** SHA-256 of a file's bytes, streamed (files run to gigabytes). */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (error) {
    // The same one-line reason as the ingest itself gives, before anything is recorded or queued.
    const code = (error as NodeJS.ErrnoException).code;
    throw new IngestFileError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
  }
  return hash.digest('hex');
}

/** A new run of a file onto a feed. */
export async function startIngestManifest(db: Db, feed: Feed, path: string): Promise<IngestManifest> {
  const runId = randomBytes(6).toString('hex');
  await recordIngestRunStarted(db, { runId, feed, fileName: basename(path), fileSha256: await sha256OfFile(path) });
  return {
    rejectionsThroughLine: 0,
    rejectionsRecorded: (line) => recordRejectionsThroughLine(db, runId, line),
    beforeAdd: async (job) => {
      const jobId = manifestJobId(runId, job.jobIndex);
      await recordManifestJob(db, runId, {
        ...job,
        jobId,
        events: job.eventIds.length,
        eventIdsSha256: digestOf(job.eventIds),
      });
      return jobId;
    },
    finish: (totals) => recordIngestRunFinished(db, runId, totals),
  };
}

/** A recorded job that is neither fully processed nor in Redis any more: lost. */
export interface MissingJob extends ManifestJobProgress {
  readonly state: 'missing';
}

export interface IngestRunCheck {
  readonly run: IngestRun;
  /** Events of the recorded jobs; and of them accounted for by the workers (stored + duplicate + rejected). */
  readonly queuedEvents: number;
  readonly processedEvents: number;
  /** Jobs still in Redis (waiting, active, delayed, failed): not lost. */
  readonly inQueue: number;
  readonly missing: readonly MissingJob[];
}

/**
 * Compares what a run queued with what the workers committed, job by job; a job not fully
 * committed is asked for in Redis, and is missing when Redis does not know it.
 */
export async function checkIngestRun(db: Db, queues: QueueFactory, run: IngestRun): Promise<IngestRunCheck> {
  const jobs = await readManifestProgress(db, run);
  const queue = queues.queue(feedQueueName(run.feed as Feed));
  const missing: MissingJob[] = [];
  let inQueue = 0;
  for (const job of jobs) {
    if (job.processed >= job.events) continue;
    const state = await queue.getJobState(job.jobId);
    if (state === 'unknown') missing.push({ ...job, state: 'missing' });
    else inQueue += 1;
  }
  return {
    run,
    queuedEvents: jobs.reduce((sum, job) => sum + job.events, 0),
    processedEvents: jobs.reduce((sum, job) => sum + Math.min(job.processed, job.events), 0),
    inQueue,
    missing,
  };
}

/**
 * What status says of the runs of the last `days` days: one reason per run with lost jobs, or
 * that stopped before its end (critical: events a producer sent are not in the pipeline).
 * `ingest_parts` are kept 7 days, so older runs cannot be checked.
 */
export async function checkRecentIngestRuns(
  db: Db,
  queues: QueueFactory,
  now = Date.now(),
  days = 7,
): Promise<{ runs: IngestRunCheck[]; reasons: string[] }> {
  const runs = await listIngestRunsSince(db, new Date(now - days * 86_400_000));
  const checks = await Promise.all(runs.map((run) => checkIngestRun(db, queues, run)));
  const reasons: string[] = [];
  for (const check of checks) {
    const { run, missing } = check;
    const name = `${run.fileName} (feed ${run.feed}, run ${run.runId})`;
    if (missing.length > 0) {
      const lines = missing
        .slice(0, 5)
        .map(
          (job) =>
            `job ${job.jobId} lines ${job.firstLine}-${job.lastLine} (${job.events} events, ${job.processed} processed)`,
        );
      reasons.push(
        `ingest: ${name} queued ${check.queuedEvents} events, ${check.processedEvents} stored, duplicate or rejected; ${missing.length} job(s) missing from the queues: ${lines.join('; ')}${missing.length > 5 ? '; ...' : ''}; run rollcall ingest --feed ${run.feed} --resume <file>`,
      );
    } else if (run.finishedAt === null && now - run.startedAt.getTime() > 60_000) {
      reasons.push(
        `ingest: ${name} stopped before the end of the file (${check.queuedEvents} events queued); run rollcall ingest --feed ${run.feed} --resume <file>`,
      );
    }
  }
  return { runs: checks, reasons };
}

/** The file is not the one a run recorded, or no run of it was recorded. */
export class ResumeRefused extends Error {
  override readonly name = 'ResumeRefused';
}

/**
 * Resumes the latest run of the same file (by content) onto the feed: a recorded job is added
 * again only when it is missing (same job id; its events are idempotent), and jobs the run never
 * reached are recorded and added. A rebuilt job whose event ids differ from the recorded ones is
 * refused (the reading or batching changed).
 */
export async function resumeIngestManifest(
  db: Db,
  queues: QueueFactory,
  feed: Feed,
  path: string,
): Promise<{ manifest: IngestManifest; check: IngestRunCheck }> {
  const sha = await sha256OfFile(path);
  const run = await findLatestIngestRun(db, sha, feed);
  if (!run)
    throw new ResumeRefused(
      `no ingest of ${basename(path)} onto feed ${feed} is recorded (by its SHA-256 ${sha.slice(0, 12)}...): ingest it without --resume`,
    );
  const check = await checkIngestRun(db, queues, run);
  const recorded = new Map((await readManifestProgress(db, run)).map((job) => [job.jobIndex, job]));
  const missing = new Set(check.missing.map((job) => job.jobIndex));
  return {
    check,
    manifest: {
      rejectionsThroughLine: run.rejectionsThroughLine,
      rejectionsRecorded: (line) =>
        recordRejectionsThroughLine(db, run.runId, Math.max(line, run.rejectionsThroughLine)),
      beforeAdd: async (job) => {
        const jobId = manifestJobId(run.runId, job.jobIndex);
        const known = recorded.get(job.jobIndex);
        if (known === undefined) {
          await recordManifestJob(db, run.runId, {
            ...job,
            jobId,
            events: job.eventIds.length,
            eventIdsSha256: digestOf(job.eventIds),
          });
          return jobId;
        }
        if (!missing.has(job.jobIndex)) return null;
        if (known.eventIdsSha256 !== digestOf(job.eventIds)) {
          throw new ResumeRefused(
            `job ${jobId} (lines ${known.firstLine}-${known.lastLine}) read again holds other events than recorded: not resumed`,
          );
        }
        return jobId;
      },
      finish: (totals) => recordIngestRunFinished(db, run.runId, totals),
    },
  };
}
