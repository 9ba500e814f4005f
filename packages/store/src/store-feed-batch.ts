import {
  type CommittedParts,
  type Db,
  type DbOrTransaction,
  eventKey,
  type IngestPartOutcome,
  readCommittedParts,
  recordCommittedPart,
} from '@rollcall/db';
import { defined, type Feed } from '@rollcall/contract';
import type { Logger } from '@rollcall/logger';
import { isDataError, isTransientConflict } from './database-errors.ts';
import { shardOf } from './entity-shards.ts';
import { addOutcomes, type FeedBatchOutcome, NO_OUTCOME } from './feed-batch-outcome.ts';
import {
  type IngestContext,
  type PreparedEvent,
  prepareEvent,
  type PrepareOptions,
  type RejectedInput,
  rejectInput,
} from '@rollcall/intake';
import { recordRejectionsIn } from '@rollcall/intake';
import { type EventGroup, storePart } from './store-part.ts';

export interface FeedBatch {
  readonly feed: Feed;
  /** Offered inputs: each is (supposed to be) one event. */
  readonly inputs: readonly unknown[];
  /** Where the batch came from, kept with each rejection: `queue feed.dvpo job 42`. */
  readonly source: string;
  /** The inputs went through `scrubPersonReferences` together (a worker's job data): see `PrepareOptions`. */
  readonly pseudonymised?: boolean;
}

export interface StoreFeedBatchOptions {
  /**
   * Which part to store first; concurrent jobs start at different ones so they do not march through the same shards in
   * step.
   */
  readonly startAt?: number;
  /**
   * The same for every delivery of one job (`<queue>:<job id>:<timestamp>`). Given, each
   * committed part is recorded with it and skipped when the job is delivered again, so a job
   * retried after a partial commit offers each event once. Without it (tests, one-off loads) a
   * redelivery's committed parts come back as duplicates: counts differ, stored data does not.
   */
  readonly jobKey?: string;
  readonly log?: Logger;
}

/** A job is stored in up to this many transactions, so that jobs of one feed overlap. */
const MAX_PARTS = 4;
/**
 * Parts of at least this many events: how versions up to 08906ea split a job, recording no part
 * count (d0d6d06, parts of 1,000 without the count, landed together with c749e13, which records it).
 */
const LEGACY_MIN_EVENTS_PER_PART = 500;
/**
 * A part (a transaction) holds at least this many events, so a job of up to 1,999 events, and so
 * every job a worker takes (1,000 events at most, feeds.md), is one transaction. Each part pays
 * its dozen statements and its commit, and writes the aggregate rows its events touch once more:
 * a job's events share their days, so two parts rewrite mostly the same rows. At 500 (two parts
 * per job of 1,000) the write path cost 5-9 % more CPU per event than at 1,000
 * (`bench:write-path --alternate`, two runs; 3-14 % in six whole runs interleaved, concurrency 1
 * and 4), and at 200 13-16 % more than at 500 (issue 19). Two parts let two jobs of one feed
 * overlap (they started at different parts); with the workers' cores full, the work saved is
 * worth more than that overlap.
 */
const MIN_EVENTS_PER_PART = 1_000;
/** A deadlock is retried this many times before the job fails (and BullMQ retries it later). */
const CONFLICT_ATTEMPTS = 3;

/** What a part holds: groups of events sharing an eventId, and inputs rejected before storage. */
interface Part {
  /** `2`, or `2.1.0` for halves of part 2 while isolating an event the database refused. */
  readonly name: string;
  readonly groups: readonly EventGroup[];
  readonly rejected: readonly RejectedInput[];
}

class PartCommittedElsewhere extends Error {}

/**
 * Stores a batch of offered events: new events, duplicates recognised, conflicts and invalid
 * events kept with their reasons, affected entities re-folded, and the aggregate deltas, feed
 * stats, accounting and revision marks written with them.
 *
 * The batch is split by entity shard into up to four parts, each stored in its own transaction
 * holding the locks of its shards (see `lockForIngest`), so that two jobs of the same busy feed
 * proceed side by side instead of queueing behind one lock. The split depends only on the
 * inputs and, for a job some delivery began, on the part count recorded with what it committed
 * (`partsOfJob`), so a redelivered job splits the same way and (with `jobKey`) skips what committed.
 *
 * Never lets one event poison a batch: if PostgreSQL refuses a part's data, the part is halved
 * until the refused event stands alone, and that event is rejected with the database's reason.
 * A deadlock is retried at once. Anything else (the database is down) is thrown, so the job
 * retries with backoff and nothing is acknowledged uncommitted.
 */
export async function storeFeedBatch(
  db: Db,
  batch: FeedBatch,
  context: IngestContext,
  options: StoreFeedBatchOptions = {},
): Promise<FeedBatchOutcome> {
  const committed = options.jobKey === undefined ? NOTHING_COMMITTED : await readCommittedParts(db, options.jobKey);
  const parts = await splitIntoParts(batch, context, (accepted) => partsOfJob(accepted, committed));
  const store = new PartStore(db, batch, context, options, committed.outcomes, parts.length);
  const start = (options.startAt ?? 0) % parts.length;
  let total = NO_OUTCOME;
  for (let i = 0; i < parts.length; i++) {
    const part = defined(parts[(start + i) % parts.length], 'a part of the job');
    if (part.groups.length > 0 || part.rejected.length > 0) total = addOutcomes(total, await store.store(part));
  }
  return total;
}

/** Offered inputs validated: the accepted ones grouped by eventId (in offer order), the rest rejected. */
export interface PreparedInputs {
  readonly groups: Map<string, PreparedEvent[]>;
  readonly rejected: RejectedInput[];
}

/**
 * Validates `inputs` into `into` (fresh by default, or one shared by several jobs stored
 * together); `each` sees every prepared input, accepted or rejected, in offer order.
 */
export function prepareInputs(
  inputs: readonly unknown[],
  feed: Feed,
  context: IngestContext,
  options: PrepareOptions & {
    readonly into?: PreparedInputs;
    readonly each?: (item: PreparedEvent | RejectedInput) => void;
  } = {},
): PreparedInputs {
  const into: PreparedInputs = options.into ?? { groups: new Map(), rejected: [] };
  const prepareOptions = { pseudonymised: options.pseudonymised === true };
  for (const input of inputs) {
    const item = prepareEvent(input, feed, context, prepareOptions);
    options.each?.(item);
    if (item.kind === 'rejected') {
      into.rejected.push(item);
      continue;
    }
    const key = eventKey(feed, item.event.eventId);
    const group = into.groups.get(key);
    if (group) group.push(item);
    else into.groups.set(key, [item]);
  }
  return into;
}

/** Resolves once the event loop has run: I/O callbacks waiting meanwhile have had their turn. */
export const letTheEventLoopRun = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Inputs validated between two looks at the event loop (`prepareInputsInSlices`): about a millisecond's work. */
const INPUTS_PER_SLICE = 100;

/**
 * `prepareInputs` a slice at a time, letting the event loop run between slices. Validating a job
 * of 1,000 events takes the process 10-15 ms; done in one go, it held up the replies PostgreSQL
 * sent meanwhile to this process's other transactions, among them one holding its shard locks
 * while the others of its feed waited for them (issue 19).
 */
export async function prepareInputsInSlices(
  inputs: readonly unknown[],
  feed: Feed,
  context: IngestContext,
  options: Parameters<typeof prepareInputs>[3] = {},
): Promise<PreparedInputs> {
  const into: PreparedInputs = options.into ?? { groups: new Map(), rejected: [] };
  for (let from = 0; from < inputs.length; from += INPUTS_PER_SLICE) {
    if (from > 0) await letTheEventLoopRun();
    prepareInputs(inputs.slice(from, from + INPUTS_PER_SLICE), feed, context, { ...options, into });
  }
  return into;
}

/**
 * True when a job of this many inputs is stored in a single part named `0` (whatever its
 * rejections): such jobs may share one transaction (`storeJobsTogether`), each recording its
 * part `0`, so a later delivery of one of them alone finds it committed.
 */
export const isStoredInOnePart = (inputs: number): boolean => inputs < 2 * MIN_EVENTS_PER_PART;

const NOTHING_COMMITTED: CommittedParts = { outcomes: new Map(), partsOfJob: undefined };

/**
 * How many parts a job of `accepted` valid events is split into. A redelivered job must split as
 * the delivery that committed some of it did, or a part recorded as committed would stand for
 * events it never held: the count is recorded with each part, and parts recorded without it were
 * committed by a version that made parts of at least 500 events (kept until no such job can come
 * back: `ingest_parts` marks last 8 days).
 */
function partsOfJob(accepted: number, committed: CommittedParts): number {
  if (committed.partsOfJob !== undefined) return committed.partsOfJob;
  const minEvents = committed.outcomes.size > 0 ? LEGACY_MIN_EVENTS_PER_PART : MIN_EVENTS_PER_PART;
  return Math.max(1, Math.min(MAX_PARTS, Math.floor(accepted / minEvents)));
}

/** Validates every input and deals the accepted ones into parts by entity shard; rejections go with part 0. */
async function splitIntoParts(
  batch: FeedBatch,
  context: IngestContext,
  partsOf: (accepted: number) => number,
): Promise<Part[]> {
  const { groups, rejected } = await prepareInputsInSlices(batch.inputs, batch.feed, context, {
    pseudonymised: batch.pseudonymised === true,
  });
  const count = partsOf(batch.inputs.length - rejected.length);
  const groupsOfPart: EventGroup[][] = Array.from({ length: count }, () => []);
  for (const group of groups.values()) {
    const [first] = group as unknown as EventGroup;
    const shard = shardOf(first.event.forceId, first.entity.kind, first.entity.entityId);
    defined(groupsOfPart[shard % count], 'the part of a shard').push(group as unknown as EventGroup);
  }
  return groupsOfPart.map((partGroups, index) => ({
    name: String(index),
    groups: partGroups,
    rejected: index === 0 ? rejected : [],
  }));
}

class PartStore {
  constructor(
    private readonly db: Db,
    private readonly batch: FeedBatch,
    private readonly context: IngestContext,
    private readonly options: StoreFeedBatchOptions,
    private readonly committed: ReadonlyMap<string, IngestPartOutcome>,
    /** Recorded with each part, so that a redelivery splits the job the same way. */
    private readonly partsOfJob: number,
  ) {}

  async store(part: Part): Promise<FeedBatchOutcome> {
    const recorded = this.committed.get(part.name);
    if (recorded !== undefined) return recorded;
    // An earlier delivery committed halves of this part: go straight to the halves.
    const halvesCommitted = [...this.committed.keys()].some((name) => name.startsWith(`${part.name}.`));
    if (halvesCommitted) return this.storeHalves(part);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.commit(part.name, (trx) =>
          storePart(trx, this.batch, part.groups, part.rejected, this.context),
        );
      } catch (error) {
        if (error instanceof PartCommittedElsewhere) return this.outcomeRecordedElsewhere(part.name);
        if (isTransientConflict(error) && attempt < CONFLICT_ATTEMPTS) {
          this.options.log?.warn({ err: error, attempt, part: part.name }, 'transaction conflict; retrying part');
          continue;
        }
        if (!isDataError(error)) throw error;
        if (part.groups.length + part.rejected.length > 1) {
          this.options.log?.warn(
            { err: error, events: part.groups.length + part.rejected.length, part: part.name },
            'database refused part data; isolating the event',
          );
          return this.storeHalves(part);
        }
        return this.rejectRefused(part, error as Error);
      }
    }
  }

  private async storeHalves(part: Part): Promise<FeedBatchOutcome> {
    const units = part.rejected.length + part.groups.length;
    const middle = Math.ceil(units / 2);
    const rejectedFirst = part.rejected.slice(0, middle);
    const groupsFirst = part.groups.slice(0, Math.max(0, middle - part.rejected.length));
    const first: Part = { name: `${part.name}.0`, rejected: rejectedFirst, groups: groupsFirst };
    const second: Part = {
      name: `${part.name}.1`,
      rejected: part.rejected.slice(middle),
      groups: part.groups.slice(groupsFirst.length),
    };
    return addOutcomes(await this.store(first), await this.store(second));
  }

  /** One event group (or one rejection) the database refuses: kept as rejected with the database's reason. */
  private async rejectRefused(part: Part, error: Error): Promise<FeedBatchOutcome> {
    const refusal = `storage: the database refused this event (${error.message})`;
    const rejections =
      part.groups.length > 0
        ? defined(part.groups[0], 'the first group').map((item) => ({
            ...rejectInput(
              item.event,
              refusal,
              { eventId: item.event.eventId, forceId: item.event.forceId, type: item.event.type },
              this.context,
            ),
            source: this.batch.source,
          }))
        : part.rejected.map((item) => ({
            ...item,
            reason: `${item.reason}; payload not kept (${refusal})`,
            payload: '[not storable]',
            source: this.batch.source,
          }));
    const outcome = { ...NO_OUTCOME, offered: rejections.length, rejected: rejections.length };
    try {
      return await this.commit(part.name, async (trx) => {
        await recordRejectionsIn(trx, this.batch.feed, rejections, this.context.knownForces);
        return outcome;
      });
    } catch (failure) {
      if (failure instanceof PartCommittedElsewhere) return this.outcomeRecordedElsewhere(part.name);
      throw failure;
    }
  }

  /** Runs `work` in a transaction that also records the part as committed, when the job has a key. */
  private commit(name: string, work: (trx: DbOrTransaction) => Promise<FeedBatchOutcome>): Promise<FeedBatchOutcome> {
    const { jobKey } = this.options;
    return this.db.transaction().execute(async (trx) => {
      const outcome = await work(trx);
      if (jobKey !== undefined && !(await recordCommittedPart(trx, jobKey, name, outcome, this.partsOfJob)))
        throw new PartCommittedElsewhere();
      return outcome;
    });
  }

  /** Another delivery of the same job committed this part while we worked: ours rolled back, theirs counts. */
  private async outcomeRecordedElsewhere(name: string): Promise<FeedBatchOutcome> {
    const outcome = (await readCommittedParts(this.db, defined(this.options.jobKey, 'the job key'))).outcomes.get(name);
    if (outcome === undefined)
      throw new Error(`part ${name} of job ${this.options.jobKey} was reported committed but is not recorded`);
    return outcome;
  }
}
