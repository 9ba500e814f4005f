import { defined, type FeedEvent } from '@rollcall/contract';
import type { Random } from './random.ts';

export interface AnomalyRates {
  /** Held back and delivered after the first publication. */
  readonly late: number;
  /** Moved up to `reorderWindow` places from their time order (an answer before its call). */
  readonly reordered: number;
  readonly reorderWindow: number;
  /** Delivered twice, identically. */
  readonly duplicates: number;
  /** Delivered again under the same eventId with different content. */
  readonly conflicts: number;
  /** Lines that break the contract in one of several ways. */
  readonly invalid: number;
}

export const DEFAULT_ANOMALY_RATES: AnomalyRates = {
  late: 0.005,
  reordered: 0.03,
  reorderWindow: 500,
  duplicates: 0.008,
  conflicts: 0.0002,
  invalid: 0.001,
};

export interface MixedStream {
  /** NDJSON lines in arrival order. */
  readonly lines: string[];
  /** Lines arriving after the first publication. */
  readonly lateLines: string[];
  readonly counts: {
    readonly events: number;
    readonly late: number;
    readonly reordered: number;
    readonly duplicates: number;
    readonly conflicts: number;
    readonly invalid: number;
  };
}

/** Ways a line breaks the contract, each of which must be rejected with its own reason. */
const INVALID_LINES: readonly ((event: FeedEvent) => string)[] = [
  (event) => JSON.stringify(event).slice(0, 40),
  (event) => JSON.stringify({ ...event, occurredAt: event.occurredAt.replace('Z', '') }),
  (event) => JSON.stringify({ ...event, forceId: 'gotham-city' }),
  (event) => JSON.stringify({ ...event, schemaVersion: 2 }),
  (event) => JSON.stringify({ ...event, payload: {} }),
  (event) => JSON.stringify({ ...event, type: `${event.type}.v2` }),
];

/**
 * Turns a feed's events into what a real feed delivers: mostly in time order, but some late,
 * some out of order, some twice, a few conflicting, a few broken. Whatever the mix, the stored
 * result must equal that of the clean stream (the pipeline's order-independence).
 *
 * @param deliveredElsewhere events that reach the pipeline by another route (the demo's real
 *   data.police.uk file): this stream repeats or breaks some of them, at the same rates, but never
 *   delivers, holds back or contradicts one (a conflict's winner would depend on which route
 *   arrived first), so the stored result stays that of the other route.
 */
export function mixAnomalies(
  events: readonly FeedEvent[],
  random: Random,
  rates: AnomalyRates = DEFAULT_ANOMALY_RATES,
  deliveredElsewhere: readonly FeedEvent[] = [],
): MixedStream {
  const ordered = [...events].sort((a, b) => (a.occurredAt < b.occurredAt ? -1 : a.occurredAt > b.occurredAt ? 1 : 0));
  const onTime: FeedEvent[] = [];
  const late: FeedEvent[] = [];
  for (const event of ordered) (random.chance(rates.late) ? late : onTime).push(event);
  let reordered = 0;
  for (let i = 0; i < onTime.length; i++) {
    if (!random.chance(rates.reordered)) continue;
    const j = Math.max(0, Math.min(onTime.length - 1, i + random.integer(-rates.reorderWindow, rates.reorderWindow)));
    const moved = defined(onTime[j], 'the event to swap');
    onTime[j] = defined(onTime[i], 'the event to swap');
    onTime[i] = moved;
    reordered += 1;
  }
  const lines = onTime.map((event) => JSON.stringify(event));
  const insertions: { at: number; line: string }[] = [];
  let duplicates = 0;
  let conflicts = 0;
  let invalid = 0;
  // The position is drawn before the line, so a seed gives the same stream as it always has.
  const insert = (lineOf: () => string) => insertions.push({ at: random.integer(0, lines.length), line: lineOf() });
  const repeat = (event: FeedEvent) => {
    if (!random.chance(rates.duplicates)) return;
    insert(() => JSON.stringify(event));
    duplicates += 1;
  };
  const contradict = (event: FeedEvent) => {
    if (!random.chance(rates.conflicts)) return;
    insert(() =>
      JSON.stringify({
        ...event,
        occurredAt: new Date(Date.parse(event.occurredAt) + 1_000).toISOString().replace('.000Z', 'Z'),
      }),
    );
    conflicts += 1;
  };
  const breakCopy = (event: FeedEvent) => {
    if (!random.chance(rates.invalid)) return;
    insert(() => random.pick(INVALID_LINES)(event));
    invalid += 1;
  };
  for (const event of onTime) {
    repeat(event);
    contradict(event);
    breakCopy(event);
  }
  for (const event of deliveredElsewhere) {
    repeat(event);
    breakCopy(event);
  }
  insertions.sort((a, b) => b.at - a.at);
  for (const { at, line } of insertions) lines.splice(at, 0, line);
  return {
    lines,
    lateLines: late.map((event) => JSON.stringify(event)),
    counts: { events: events.length, late: late.length, reordered, duplicates, conflicts, invalid },
  };
}
