import { FEEDS, type Feed, type FeedEvent } from '@rollcall/contract';
import { FEED_QUEUE_NAMES, feedQueueName, waitForQueuesDrained } from '@rollcall/queue';
import type { QueueBenchContext } from './bench-context.ts';

const percentile = (sorted: readonly number[], p: number): number =>
  sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;

/**
 * Freshness: events arrive at a steady `eventsPerSecond` (jobs of `jobSize` every few
 * milliseconds, as a live feed sends them) while the worker process runs; for each job, the time
 * from `add` to its completion, which the worker signals only after the transaction that updates
 * the daily aggregates (the live measures) committed.
 */
export async function measureFreshness(
  context: QueueBenchContext,
  events: readonly FeedEvent[],
  options: { eventsPerSecond: number; jobSize: number; seconds: number },
) {
  const byFeed = new Map<Feed, FeedEvent[]>(FEEDS.map((feed) => [feed, []]));
  for (const event of events) byFeed.get(event.feed)!.push(event);
  const added = new Map<string, number>();
  const latencies: number[] = [];
  const listeners = FEED_QUEUE_NAMES.map((name) => context.queues.events(name));
  await Promise.all(listeners.map((listener) => listener.events.waitUntilReady()));
  for (const listener of listeners) {
    listener.events.on('completed', ({ jobId }) => {
      const at = added.get(jobId);
      if (at !== undefined) latencies.push(performance.now() - at);
    });
  }
  const jobsPerSecond = options.eventsPerSecond / options.jobSize;
  const totalJobs = Math.min(Math.floor(jobsPerSecond * options.seconds), Math.floor(events.length / options.jobSize));
  // Jobs go to feeds in proportion to their volume, as a live mix does.
  const cursors = new Map<Feed, number>(FEEDS.map((feed) => [feed, 0]));
  const order: Feed[] = [];
  for (const feed of FEEDS)
    for (let i = 0; i < Math.floor((byFeed.get(feed)!.length / events.length) * totalJobs); i++) order.push(feed);
  order.sort((a, b) => FEEDS.indexOf(a) - FEEDS.indexOf(b));
  const interleaved = order
    .map((feed, i) => ({ feed, key: (i * 7919) % order.length }))
    .sort((a, b) => a.key - b.key)
    .map((x) => x.feed);
  const started = performance.now();
  for (const [index, feed] of interleaved.entries()) {
    const due = started + (index / jobsPerSecond) * 1000;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const from = cursors.get(feed)!;
    const slice = byFeed.get(feed)!.slice(from, from + options.jobSize);
    cursors.set(feed, from + options.jobSize);
    if (slice.length === 0) continue;
    const addedAt = performance.now();
    const jobId = await context.queues.add('feed-batch', feedQueueName(feed), { events: slice });
    if (jobId !== undefined) added.set(jobId, addedAt);
  }
  const offeredSeconds = (performance.now() - started) / 1000;
  await waitForQueuesDrained(context.queues, FEED_QUEUE_NAMES, { timeoutMs: 600_000 });
  await Promise.all(listeners.map((listener) => listener.close()));
  const sorted = [...latencies].sort((a, b) => a - b);
  const offeredEvents = [...cursors.values()].reduce((sum, n) => sum + n, 0);
  return {
    jobs: added.size,
    measured: sorted.length,
    rate: Math.min(offeredEvents, events.length) / offeredSeconds,
    p50: percentile(sorted, 0.5),
    p95: percentile(sorted, 0.95),
    p99: percentile(sorted, 0.99),
    max: sorted.at(-1) ?? Number.NaN,
  };
}
