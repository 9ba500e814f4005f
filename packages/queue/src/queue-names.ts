import { FEEDS, type Feed } from '@rollcall/contract';

/** Queue names are part of the operator interface (operations.md): keep them stable. */
export type FeedQueueName = `feed.${Feed}`;

export const feedQueueName = (feed: Feed): FeedQueueName => `feed.${feed}`;

export const FEED_QUEUE_NAMES: readonly FeedQueueName[] = FEEDS.map(feedQueueName);

/** Downstream consumers learn of each published snapshot here. */
export const SNAPSHOTS_PUBLISHED_QUEUE = 'snapshots.published';

/** The nightly run's job scheduler fires into this queue. */
export const NIGHTLY_QUEUE = 'scheduler.nightly';

export const ALL_QUEUE_NAMES: readonly string[] = [...FEED_QUEUE_NAMES, SNAPSHOTS_PUBLISHED_QUEUE, NIGHTLY_QUEUE];

export function feedOfQueue(name: string): Feed | undefined {
  return FEEDS.find((feed) => feedQueueName(feed) === name);
}
