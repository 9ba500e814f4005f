import { addMonths } from '@rollcall/calendar';
import { FEEDS, type Feed, type FeedEvent } from '@rollcall/contract';
import { simulateForceMonth } from '@rollcall/simulator';

export const BENCH_FORCE = 'avon-and-somerset';

/** Months `count` long ending with `last` (YYYY-MM), oldest first. */
export function monthsEndingAt(last: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => addMonths(`${last}-01`, i - count + 1).slice(0, 7));
}

/**
 * Simulated months of Avon and Somerset at real volume (about 205,000 events each), one month at
 * a time so the benchmark never holds more than a month of events.
 */
export function* benchMonths(months: readonly string[], options: { scale?: number; feeds?: readonly Feed[] } = {}) {
  for (const [index, month] of months.entries()) {
    const byFeed = simulateForceMonth({
      forceId: BENCH_FORCE,
      month,
      scale: options.scale ?? 1,
      seed: 1_000 + index,
      ...(options.feeds && { feeds: options.feeds }),
    });
    yield { month, byFeed: byFeed as Record<Feed, FeedEvent[]> };
  }
}

export const countEvents = (byFeed: Record<Feed, FeedEvent[]>) =>
  FEEDS.reduce((sum, feed) => sum + byFeed[feed].length, 0);
