import type { StopSearchAmended, StopSearchRecorded } from '@rollcall/contract';
import { feedQueueName, type QueueFactory } from '@rollcall/queue';

/** Why an event was queued: a row's record, an edited row's amendment, a gone row's withdrawal. */
export type QueuedKind = 'recorded' | 'amended' | 'withdrawn';

export interface QueuedCounts {
  readonly recorded: number;
  readonly amended: number;
  readonly withdrawn: number;
  readonly total: number;
}

/** Queues stop-search events on `feed.stop-search` in `feed-batch` jobs of `batchSize`, counting them by kind. */
export class StopSearchJobBatcher {
  private readonly queueName = feedQueueName('stop-search');
  private batch: (StopSearchRecorded | StopSearchAmended)[] = [];
  private readonly counts = { recorded: 0, amended: 0, withdrawn: 0 };
  private jobsAdded = 0;

  constructor(
    private readonly queues: QueueFactory,
    private readonly batchSize: number,
  ) {}

  /** Jobs added so far. */
  get jobs(): number {
    return this.jobsAdded;
  }

  /** Events queued so far (the last batch included, even before it is flushed). */
  get total(): number {
    return this.counts.recorded + this.counts.amended + this.counts.withdrawn;
  }

  queued(): QueuedCounts {
    return { ...this.counts, total: this.total };
  }

  async queue(kind: QueuedKind, event: StopSearchRecorded | StopSearchAmended): Promise<void> {
    this.counts[kind] += 1;
    this.batch.push(event);
    if (this.batch.length >= this.batchSize) await this.flush();
  }

  /** Adds the last, partial batch. */
  async flush(): Promise<void> {
    if (this.batch.length === 0) return;
    await this.queues.add('feed-batch', this.queueName, { events: this.batch });
    this.jobsAdded += 1;
    this.batch = [];
  }
}
