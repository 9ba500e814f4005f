import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Db } from '@rollcall/db';
import type { Feed } from '@rollcall/contract';
import { feedQueueName, MAX_EVENTS_PER_JOB, type QueueFactory } from '@rollcall/queue';
import { type IngestContext, prepareEvent, type RejectedInput } from '@rollcall/intake';
import { describeJsonError } from './json-line-error.ts';
import type { IngestManifest } from './ingest-manifest.ts';
import { linesOf, MAX_LINE_CHARACTERS } from './ndjson-lines.ts';
import { scrubPersonReferences, scrubPersonReferencesInText } from '@rollcall/intake';
import { recordRejections } from '@rollcall/intake';
import { toStorableText } from '@rollcall/intake';

export interface IngestProgress {
  readonly bytesRead: number;
  readonly totalBytes: number;
  readonly lines: number;
  readonly accepted: number;
  readonly rejected: number;
}

export interface LineRejection {
  readonly line: number;
  readonly reason: string;
}

export interface IngestFileSummary {
  readonly file: string;
  readonly feed: Feed;
  /** Non-blank lines read. */
  readonly lines: number;
  /** Lines that passed validation and were queued. */
  readonly accepted: number;
  /** Lines rejected here, each stored in rejected_events with its line number and reason. */
  readonly rejected: number;
  readonly jobs: number;
  /** The first rejections, for the command's report (all are in the database). */
  readonly rejections: readonly LineRejection[];
}

/** The file cannot be opened or read: the command exits non-zero with this message. */
export class IngestFileError extends Error {
  override readonly name = 'IngestFileError';
}

export interface IngestFileOptions {
  readonly path: string;
  readonly feed: Feed;
  readonly db: Db;
  readonly queues: QueueFactory;
  readonly context: IngestContext;
  readonly batchSize?: number;
  readonly onProgress?: (progress: IngestProgress) => void;
  /** Keep at most this many rejections in the summary (all are stored). */
  readonly reportLimit?: number;
  /**
   * Records each job in PostgreSQL before it is added, with a job id of the run, and on
   * `--resume` says which jobs to add again (ingest-manifest.ts).
   */
  readonly manifest?: IngestManifest;
}

const REJECTION_FLUSH = 500;

/**
 * Streams an NDJSON file onto a feed queue in jobs of up to 1,000 events. Each line is checked
 * against the contract first, so a bad line is reported with its number and reason (and kept in
 * rejected_events) without stopping the rest; memory stays flat whatever the file size because
 * the file is read only as fast as batches are queued (see `linesOf`) and one batch is held at a
 * time.
 */
export async function ingestNdjsonFile(options: IngestFileOptions): Promise<IngestFileSummary> {
  const totalBytes = await stat(options.path).then(
    (stats) => stats.size,
    (error: NodeJS.ErrnoException) => {
      throw new IngestFileError(
        `cannot read ${options.path}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`,
      );
    },
  );
  const batchSize = Math.min(options.batchSize ?? MAX_EVENTS_PER_JOB, MAX_EVENTS_PER_JOB);
  const reportLimit = options.reportLimit ?? 50;
  const file = basename(options.path);
  const queueName = feedQueueName(options.feed);

  const stream = createReadStream(options.path);

  let lineNumber = 0;
  let nonBlank = 0;
  let accepted = 0;
  let rejectedCount = 0;
  let jobs = 0;
  let batch: unknown[] = [];
  let batchIds: string[] = [];
  let batchFirstLine = 0;
  let batchIndex = 0;
  let pendingRejections: (RejectedInput & { source: string })[] = [];
  const rejections: LineRejection[] = [];

  const flushBatch = async () => {
    if (batch.length === 0) return;
    const job = { jobIndex: batchIndex, firstLine: batchFirstLine, lastLine: lineNumber, eventIds: batchIds };
    batchIndex += 1;
    const jobId = await options.manifest?.beforeAdd(job);
    if (jobId !== null) {
      await options.queues.add('feed-batch', queueName, { events: batch }, jobId === undefined ? {} : { jobId });
      jobs += 1;
    }
    batch = [];
    batchIds = [];
  };
  const flushRejections = async () => {
    await recordRejections(options.db, options.feed, pendingRejections, options.context);
    // Not atomic with the rejections: a crash between the two keeps up to REJECTION_FLUSH of
    // them twice on --resume, where the other order would lose them.
    await options.manifest?.rejectionsRecorded(lineNumber);
    pendingRejections = [];
  };
  const reject = async (rejected: RejectedInput) => {
    rejectedCount += 1;
    if (rejections.length < reportLimit) rejections.push({ line: lineNumber, reason: rejected.reason });
    // A resumed run: the run it resumes kept this line's rejection already.
    if (lineNumber <= (options.manifest?.rejectionsThroughLine ?? 0)) return;
    pendingRejections.push({ ...rejected, source: `file ${file} line ${lineNumber}` });
    if (pendingRejections.length >= REJECTION_FLUSH) await flushRejections();
  };
  const progress = () =>
    options.onProgress?.({
      bytesRead: stream.bytesRead,
      totalBytes,
      lines: nonBlank,
      accepted,
      rejected: rejectedCount,
    });

  /** The file's chunks; a read error is the file's, not the queue's or the database's. */
  async function* chunks(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of stream) yield chunk as Buffer;
    } catch (error) {
      throw new IngestFileError(`cannot read ${options.path}: ${(error as Error).message}`);
    }
  }

  for await (const fileLine of linesOf(chunks())) {
    lineNumber += 1;
    if ('tooLong' in fileLine) {
      nonBlank += 1;
      const reason = `line is ${fileLine.tooLong.toLocaleString('en-GB')} characters long; no event is longer than ${MAX_LINE_CHARACTERS.toLocaleString('en-GB')} (not read)`;
      await reject({ kind: 'rejected', reason, hint: {}, payload: '[not kept: too long]' });
      continue;
    }
    await offerLine(fileLine.text);
  }
  await flushBatch();
  await flushRejections();
  await options.manifest?.finish({ lines: nonBlank, rejectedLines: rejectedCount, jobs: batchIndex });
  progress();
  return {
    file: options.path,
    feed: options.feed,
    lines: nonBlank,
    accepted,
    rejected: rejectedCount,
    jobs,
    rejections,
  };

  async function offerLine(line: string) {
    if (line.trim() === '') return;
    nonBlank += 1;
    let input: unknown;
    try {
      // Pseudonymised at once: nothing below (a reason quoting a value, the queued job) may hold
      // a person reference in clear. The workers' own pass then leaves pseudonyms as they are.
      input = scrubPersonReferences(JSON.parse(line), options.context.pseudonymise);
    } catch (error) {
      const text = toStorableText(scrubPersonReferencesInText(line, options.context.pseudonymise));
      await reject({ kind: 'rejected', reason: describeJsonError(error), hint: {}, payload: text });
      return;
    }
    // The worker's own checks, so that what the queue client serialises is never deeper or
    // larger than an event may be (a line nested 5,000 deep overflowed its stack).
    const prepared = prepareEvent(input, options.feed, options.context, { pseudonymised: true });
    if (prepared.kind === 'rejected') {
      await reject(prepared);
    } else {
      accepted += 1;
      if (batch.length === 0) batchFirstLine = lineNumber;
      batch.push(input);
      batchIds.push(prepared.event.eventId);
      if (batch.length >= batchSize) await flushBatch();
    }
    if (nonBlank % 5_000 === 0) progress();
  }
}
