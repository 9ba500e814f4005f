import { type Feed, formatIssues } from '@rollcall/contract';
import type { Logger } from '@rollcall/logger';
import type { Queue, QueueEvents } from 'bullmq';
import { InvalidJobError } from './invalid-job-error.ts';
import { JOB_CATALOG, type JobData, type JobName, MAX_EVENTS_PER_JOB, type QueueOfJob } from './job-catalog.ts';
import { feedQueueName, FEED_QUEUE_NAMES } from './queue-names.ts';
import { jsonbSafeFeedBatch } from './jsonb-safe-events.ts';
import { isPostgresQueueStore, openQueue, openQueueEvents, type QueueConnection } from './queue-backend.ts';

export interface QueueFactoryOptions {
  /**
   * Producer connection: Redis (fails fast; BullMQ shares it between the queues it opens) or the
   * PostgreSQL queue store (queue-backend.ts).
   */
  readonly connection: QueueConnection;
  readonly prefix: string;
  readonly log: Logger;
}

/**
 * Opens queues by name, once each, with an `error` listener on every one (BullMQ's guide: an
 * unhandled `error` event would crash the process), and closes them all idempotently.
 */
export class QueueFactory {
  private readonly queues = new Map<string, Queue>();
  private closing: Promise<void> | undefined;

  constructor(private readonly options: QueueFactoryOptions) {}

  get prefix(): string {
    return this.options.prefix;
  }

  queue(name: string): Queue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = openQueue(name, this.options.connection, this.options.prefix);
      queue.on('error', (err) => this.options.log.warn({ err, queue: name }, 'queue error'));
      this.queues.set(name, queue);
    }
    return queue;
  }

  feedQueue(feed: Feed): Queue {
    return this.queue(feedQueueName(feed));
  }

  feedQueues(): Queue[] {
    return FEED_QUEUE_NAMES.map((name) => this.queue(name));
  }

  /**
   * Adds a job of the catalog after checking its data against the catalog's schema, with the
   * catalog's retries and retention. Throws InvalidJobError, adding nothing, for data the schema
   * refuses (a feed-batch of more than 1,000 events among them) or an id BullMQ would misread.
   */
  async add<N extends JobName>(
    name: N,
    queueName: QueueOfJob<N>,
    data: JobData<N>,
    options: { jobId?: string; delay?: number } = {},
  ): Promise<string | undefined> {
    const entry = JOB_CATALOG[name];
    const events = (data as { events?: unknown }).events;
    if (name === 'feed-batch' && Array.isArray(events) && events.length > MAX_EVENTS_PER_JOB) {
      const message = `a feed-batch job carries at most ${MAX_EVENTS_PER_JOB.toLocaleString('en-GB')} events (got ${events.length.toLocaleString('en-GB')}): split the batch`;
      throw new InvalidJobError(message, name, queueName);
    }
    const parsed = entry.schema.safeParse(data);
    if (!parsed.success)
      throw new InvalidJobError(`invalid ${name} job data: ${formatIssues(parsed.error.issues)}`, name, queueName);
    if (options.jobId !== undefined) assertValidJobId(options.jobId, name, queueName);
    const jobData = isPostgresQueueStore(this.options.connection) ? jsonbSafeFeedBatch(parsed.data) : parsed.data;
    const job = await this.queue(queueName).add(name, jobData, { ...entry.options, ...options });
    return job.id;
  }

  /**
   * A QueueEvents listener for one queue on its own blocking connection. The handle's `close`
   * closes both, so a short-lived listener (drain, tests) leaves no socket behind.
   */
  events(name: string): QueueEventsHandle {
    const { events, disconnect } = openQueueEvents(name, this.options.connection, this.options.prefix);
    events.on('error', (err) => this.options.log.warn({ err, queue: name }, 'queue events error'));
    let closing: Promise<void> | undefined;
    return {
      events,
      close: () =>
        (closing ??= events
          .close()
          .catch(() => undefined)
          .then(disconnect)),
    };
  }

  async close(): Promise<void> {
    this.closing ??= Promise.allSettled([...this.queues.values()].map((queue) => queue.close())).then(() => undefined);
    return this.closing;
  }
}

export interface QueueEventsHandle {
  readonly events: QueueEvents;
  close(): Promise<void>;
}

/** BullMQ reserves ':' in keys and treats all-digit ids as its own counters (style.md, point 7). */
export function assertValidJobId(jobId: string, jobName = 'job', queueName = ''): void {
  if (jobId.includes(':') || /^\d+$/.test(jobId)) {
    throw new InvalidJobError(
      `job id ${JSON.stringify(jobId)} must not contain ':' or be all digits`,
      jobName,
      queueName,
    );
  }
}
