import { createCalendar } from '@rollcall/calendar';
import type { Feed, FeedEvent, StopSearchGroundsReviewed, StopSearchRecorded } from '@rollcall/contract';
import { simulateCallHandling } from './call-handling-simulation.ts';
import { simulateDvpo } from './dvpo-simulation.ts';
import { Random } from './random.ts';
import { SimulationClock } from './simulation-clock.ts';
import { reviewGrounds, simulateStopSearch } from './stop-search-simulation.ts';
import { simulateWantedPersons } from './wanted-persons-simulation.ts';

export interface SimulationOptions {
  readonly forceId: string;
  /** `YYYY-MM`. */
  readonly month: string;
  readonly seed?: number;
  /** 1 is Avon and Somerset's real volume (about 250,000 events a month); 0.1 a tenth of it. */
  readonly scale?: number;
  readonly timeZone?: string;
  /** Feeds to simulate (all by default): the demo takes stop-search from a real data.police.uk file. */
  readonly feeds?: readonly Feed[];
}

/**
 * A month of realistic events for one force, per feed. Deterministic for a given seed, so two
 * runs of the demo or the benchmark see the same events.
 */
export function simulateForceMonth(options: SimulationOptions): Record<Feed, FeedEvent[]> {
  const scale = options.scale ?? 1;
  const random = new Random(options.seed ?? 20_240_131);
  const clock = new SimulationClock(createCalendar(options.timeZone ?? 'Europe/London'), options.month);
  const wanted = (feed: Feed) => options.feeds === undefined || options.feeds.includes(feed);
  const forceId = options.forceId;
  return {
    'call-handling': wanted('call-handling')
      ? simulateCallHandling(forceId, clock, random, {
          calls999PerDay: Math.round(600 * scale),
          calls101PerDay: Math.round(1_100 * scale),
        })
      : [],
    'wanted-persons': wanted('wanted-persons')
      ? simulateWantedPersons(forceId, clock, random, {
          circulationsPerMonth: Math.max(1, Math.round(200 * scale)),
          historyMonths: 48,
        })
      : [],
    dvpo: wanted('dvpo')
      ? simulateDvpo(forceId, clock, random, {
          noticesPerMonth: Math.max(1, Math.round(22 * scale)),
          domesticAbuseCrimesPerMonth: Math.round(1_700 * scale),
        })
      : [],
    'stop-search': wanted('stop-search')
      ? simulateStopSearch(forceId, clock, random, { searchesPerMonth: Math.round(550 * scale), reviewShare: 0.03 })
      : [],
  };
}

export interface GroundsReviewOptions {
  /** `YYYY-MM`: reviews fall in this month. */
  readonly month: string;
  readonly seed?: number;
  /**
   * Share of the searches whose grounds are reviewed; default 0.15: about 75 of a month's 500,
   * so that the 13% found without grounds (about 10) is above the counts of 1 to 4 that
   * disclosure control suppresses, and the month's rate can be published.
   */
  readonly reviewShare?: number;
  readonly timeZone?: string;
}

/**
 * Grounds reviews (dip-sample audits) of searches recorded elsewhere: the demo's real
 * data.police.uk file, which has no reviews, so that the reasonable-grounds measure has a
 * sample. Deterministic for a seed, as simulateForceMonth is.
 */
export function simulateGroundsReviews(
  recorded: readonly StopSearchRecorded[],
  options: GroundsReviewOptions,
): StopSearchGroundsReviewed[] {
  const clock = new SimulationClock(createCalendar(options.timeZone ?? 'Europe/London'), options.month);
  return reviewGrounds(recorded, clock, new Random(options.seed ?? 20_240_131), options.reviewShare ?? 0.15);
}
