import { defined } from '@rollcall/contract';
import type { FeedBatchOutcome } from './feed-batch-outcome.ts';
import { isStoredInOnePart } from './store-feed-batch.ts';
import type { FeedJobWork } from './store-jobs-together.ts';

interface Waiting {
  readonly job: FeedJobWork;
  readonly resolve: (outcome: FeedBatchOutcome) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * The jobs a worker holds for one feed, waiting for one of `slots` storage transactions. When a
 * slot is free, the oldest job goes, together with the jobs behind it up to `limits.events`
 * events and `limits.jobs` jobs (`storeJobsTogether`). So a quiet feed's job is stored the moment
 * it arrives, alone, and a busy feed's jobs share a transaction instead of each paying for one:
 * the busier the feed, the larger its transactions, which is what keeps events fresh when
 * producers send many small jobs. The cap on jobs leaves the other slots a share of what the
 * worker holds: one transaction taking every held job would leave them idle, and no job would be
 * fetched until it committed.
 */
export class StorageSlots {
  private readonly waiting: Waiting[] = [];
  private busy = 0;

  constructor(
    private readonly slots: number,
    private readonly limits: { readonly events: number; readonly jobs: number },
    private readonly storeTogether: (jobs: readonly FeedJobWork[]) => Promise<FeedBatchOutcome[]>,
  ) {}

  /** Resolves with the job's own outcome once its transaction committed. */
  store(job: FeedJobWork): Promise<FeedBatchOutcome> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ job, resolve, reject });
      this.startWhatFits();
    });
  }

  private startWhatFits(): void {
    while (this.busy < this.slots && this.waiting.length > 0) {
      const taken = this.takeNext();
      this.busy++;
      this.storeTogether(taken.map((entry) => entry.job))
        .then(
          (outcomes) => taken.forEach((entry, index) => entry.resolve(defined(outcomes[index], 'a job outcome'))),
          (error: unknown) => taken.forEach((entry) => entry.reject(error)),
        )
        .finally(() => {
          this.busy--;
          this.startWhatFits();
        });
    }
  }

  /** The oldest job, and while it and the next are each stored in one part, the next ones up to the limits. */
  private takeNext(): Waiting[] {
    const first = defined(this.waiting.shift(), 'a waiting job');
    const taken = [first];
    if (!isStoredInOnePart(first.job.inputs.length)) return taken;
    let events = first.job.inputs.length;
    for (let next = this.waiting[0]; next !== undefined; next = this.waiting[0]) {
      const size = next.job.inputs.length;
      if (!isStoredInOnePart(size) || events + size > this.limits.events || taken.length >= this.limits.jobs) break;
      taken.push(defined(this.waiting.shift(), 'a waiting job'));
      events += size;
    }
    return taken;
  }
}
