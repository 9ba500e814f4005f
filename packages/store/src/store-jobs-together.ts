import { type Db, readCommittedPartsOfJobs, recordCommittedParts } from '@rollcall/db';
import { defined, type Feed } from '@rollcall/contract';
import type { Logger } from '@rollcall/logger';
import type { IngestContext, PreparedEvent, RejectedInput } from '@rollcall/intake';
import { isDataError, isTransientConflict } from './database-errors.ts';
import { type FeedBatchOutcome, NO_OUTCOME } from './feed-batch-outcome.ts';
import {
  isStoredInOnePart,
  letTheEventLoopRun,
  type PreparedInputs,
  prepareInputsInSlices,
  storeFeedBatch,
} from './store-feed-batch.ts';
import { type EventGroup, type InputOutcome, type InputOwners, storePart } from './store-part.ts';

/** A feed job as the worker hands it to storage. */
export interface FeedJobWork {
  readonly inputs: readonly unknown[];
  /** Kept with each rejection: `queue feed.dvpo job 42`. */
  readonly source: string;
  /** See `StoreFeedBatchOptions.jobKey`. */
  readonly jobKey: string;
  /** See `StoreFeedBatchOptions.startAt`, for a job stored alone. */
  readonly startAt?: number;
  /** See `FeedBatch.pseudonymised`. */
  readonly pseudonymised?: boolean;
}

/** A deadlock is retried this many times before the jobs are stored one by one. */
const CONFLICT_ATTEMPTS = 3;

class RecordedElsewhere extends Error {}

/**
 * Stores several small jobs of one feed in one transaction, with the outcome of each job as if
 * it had been stored alone. Every job's statements and commit cost PostgreSQL about 3 ms
 * whatever its size, so a feed sending jobs of 100 at 10,000 events/s spends most of its time
 * on them; jobs waiting together share one set instead (issue 19).
 *
 * Exactly once, as alone: each job must be stored in one part (`isStoredInOnePart`), and the
 * transaction records part `0` of every job with that job's own counts, so a later delivery of
 * any of them, alone or with others, finds it committed. A job some delivery already started is
 * stored alone (`storeFeedBatch` resumes it). If the transaction cannot commit for a reason of
 * its data (PostgreSQL refused an event) or of another delivery (recorded a part first), it rolls
 * back whole and each job is stored alone, where a refused event is isolated as usual. Anything
 * else (PostgreSQL unreachable) is thrown, for every job.
 */
export async function storeJobsTogether(
  db: Db,
  feed: Feed,
  jobs: readonly FeedJobWork[],
  context: IngestContext,
  log?: Logger,
): Promise<FeedBatchOutcome[]> {
  const alone = (job: FeedJobWork) =>
    storeFeedBatch(
      db,
      { feed, inputs: job.inputs, source: job.source, pseudonymised: job.pseudonymised === true },
      context,
      {
        jobKey: job.jobKey,
        ...(job.startAt !== undefined && { startAt: job.startAt }),
        ...(log !== undefined && { log }),
      },
    );
  if (jobs.length === 1) return [await alone(defined(jobs[0], 'the job'))];
  for (const job of jobs)
    if (!isStoredInOnePart(job.inputs.length))
      throw new Error(`a job of ${job.inputs.length} events is stored in parts: it cannot share a transaction`);

  const started = await readCommittedPartsOfJobs(
    db,
    jobs.map((job) => job.jobKey),
  );
  const together = jobs.filter((job) => !started.has(job.jobKey));
  const outcomes = new Map<FeedJobWork, FeedBatchOutcome>();
  if (together.length > 1) {
    for (let attempt = 1; ; attempt++) {
      try {
        const stored = await storeInOneTransaction(db, feed, together, context);
        together.forEach((job, index) => outcomes.set(job, defined(stored[index], 'a job outcome')));
        break;
      } catch (error) {
        if (isTransientConflict(error) && attempt < CONFLICT_ATTEMPTS) continue;
        if (!(error instanceof RecordedElsewhere) && !isTransientConflict(error) && !isDataError(error)) throw error;
        log?.warn(
          { err: error instanceof RecordedElsewhere ? undefined : error, jobs: together.length },
          'jobs stored together could not commit; storing them one by one',
        );
        break;
      }
    }
  }
  const result: FeedBatchOutcome[] = [];
  for (const job of jobs) result.push(outcomes.get(job) ?? (await alone(job)));
  return result;
}

/** One transaction for `jobs`, each recording its part `0` with its own counts. */
async function storeInOneTransaction(
  db: Db,
  feed: Feed,
  jobs: readonly FeedJobWork[],
  context: IngestContext,
): Promise<FeedBatchOutcome[]> {
  const ownerOf = new Map<PreparedEvent | RejectedInput, number>();
  const counts = jobs.map(() => ({ stored: 0, duplicate: 0, rejected: 0 }));
  const prepared: PreparedInputs = { groups: new Map(), rejected: [] };
  for (const [index, job] of jobs.entries()) {
    // Small jobs (of 100, say) are a slice each: the loop runs between them too.
    if (index > 0) await letTheEventLoopRun();
    await prepareInputsInSlices(job.inputs, feed, context, {
      into: prepared,
      each: (item) => ownerOf.set(item, index),
      pseudonymised: job.pseudonymised === true,
    });
  }
  const jobOf = (input: PreparedEvent | RejectedInput) => defined(ownerOf.get(input), 'the job of an input');
  const owners: InputOwners = {
    sourceOf: (input) => defined(jobs[jobOf(input)], 'a job').source,
    counted: (input: PreparedEvent | RejectedInput, outcome: InputOutcome) => {
      defined(counts[jobOf(input)], 'the counts of a job')[outcome] += 1;
    },
  };
  return db.transaction().execute(async (trx) => {
    const total = await storePart(
      trx,
      { feed, inputs: [], source: 'jobs stored together' },
      [...prepared.groups.values()] as unknown as EventGroup[],
      prepared.rejected,
      context,
      owners,
    );
    // Snapshot heads marked stale are a count per transaction: the first job carries it.
    const outcomes = jobs.map((job, index): FeedBatchOutcome => {
      const count = defined(counts[index], 'the counts of a job');
      return {
        ...NO_OUTCOME,
        ...count,
        offered: job.inputs.length,
        staleSnapshotHeads: index === 0 ? total.staleSnapshotHeads : 0,
      };
    });
    const recorded = await recordCommittedParts(
      trx,
      jobs.map((job, index) => ({ jobKey: job.jobKey, part: '0', outcome: defined(outcomes[index], 'an outcome') })),
    );
    if (!recorded) throw new RecordedElsewhere();
    return outcomes;
  });
}
