import { decodeEvent, FEEDS, type FeedEvent, type StopSearchRecorded } from '@rollcall/contract';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ANOMALY_RATES, mixAnomalies } from './mix-anomalies.ts';
import { Random } from './random.ts';
import { simulateForceMonth, simulateGroundsReviews } from './simulate-force-month.ts';

describe('simulateForceMonth', () => {
  const month = simulateForceMonth({ forceId: 'avon-and-somerset', month: '2024-01', scale: 0.05 });

  it('produces only events that honour the contract', () => {
    for (const feed of FEEDS) {
      expect(month[feed].length).toBeGreaterThan(0);
      for (const event of month[feed]) {
        const decoded = decodeEvent(event, feed);
        if (!decoded.ok) throw new Error(`${event.eventId}: ${decoded.reason}`);
      }
    }
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const again = simulateForceMonth({ forceId: 'avon-and-somerset', month: '2024-01', scale: 0.05 });
    expect(again).toEqual(month);
    const other = simulateForceMonth({ forceId: 'avon-and-somerset', month: '2024-01', scale: 0.05, seed: 7 });
    expect(other['call-handling'][0]).not.toEqual(month['call-handling'][0]);
  });

  it('never emits an event after the end of the month', () => {
    for (const feed of FEEDS)
      for (const event of month[feed]) expect(event.occurredAt < '2024-02-01T00:00:00Z').toBe(true);
  });

  it('answers about nine in ten 999 calls within 10 seconds, as a force near the standard does', () => {
    const full = simulateForceMonth({
      forceId: 'avon-and-somerset',
      month: '2024-01',
      scale: 0.2,
      feeds: ['call-handling'],
    })['call-handling'];
    const presented = new Map<string, { at: number; bt: number }>();
    let within = 0;
    let answered = 0;
    for (const event of full) {
      if (event.type === 'call.presented' && event.payload.channel === '999')
        presented.set(event.payload.callId, {
          at: Date.parse(event.occurredAt),
          bt: event.payload.btTransferSeconds ?? 0,
        });
    }
    for (const event of full) {
      const call = event.type === 'call.answered' ? presented.get(event.payload.callId) : undefined;
      if (!call) continue;
      answered += 1;
      if (call.bt * 1000 + Date.parse(event.occurredAt) - call.at < 10_000) within += 1;
    }
    expect(within / answered).toBeGreaterThan(0.85);
    expect(within / answered).toBeLessThan(0.95);
  });
});

describe('mixAnomalies', () => {
  it('keeps every event once (on time or late) and adds exactly the counted extras', () => {
    const events = simulateForceMonth({
      forceId: 'avon-and-somerset',
      month: '2024-01',
      scale: 0.05,
      feeds: ['dvpo'],
    }).dvpo;
    const mixed = mixAnomalies(events, new Random(1), {
      ...DEFAULT_ANOMALY_RATES,
      invalid: 0.05,
      duplicates: 0.05,
      conflicts: 0.01,
    });
    const { counts } = mixed;
    expect(mixed.lines.length + mixed.lateLines.length).toBe(
      events.length + counts.duplicates + counts.conflicts + counts.invalid,
    );
    const ids = new Set(
      [...mixed.lines, ...mixed.lateLines].flatMap((line) => {
        try {
          return [(JSON.parse(line) as { eventId: string }).eventId];
        } catch {
          return [];
        }
      }),
    );
    for (const event of events) expect(ids.has(event.eventId)).toBe(true);
    expect(counts.invalid).toBeGreaterThan(0);
  });
});

/** A month of recorded searches, standing in for a real data.police.uk file. */
const recordedSearches = (): StopSearchRecorded[] =>
  simulateForceMonth({ forceId: 'avon-and-somerset', month: '2024-01', feeds: ['stop-search'], seed: 3 })[
    'stop-search'
  ].filter((event): event is StopSearchRecorded => event.type === 'stop-search.recorded');

describe('simulateGroundsReviews', () => {
  const recorded = recordedSearches();
  const reviews = simulateGroundsReviews(recorded, { month: '2024-01' });

  it('reviews about 15% of the searches, each once, within the month and not before its search', () => {
    expect(recorded).toHaveLength(550);
    // 15% of 550 is 82.5; a seeded draw lands near it.
    expect(reviews.length).toBeGreaterThan(65);
    expect(reviews.length).toBeLessThan(100);
    const searched = new Map(recorded.map((event) => [event.payload.recordId, event.occurredAt]));
    expect(new Set(reviews.map((review) => review.payload.recordId)).size).toBe(reviews.length);
    for (const review of reviews) {
      expect(decodeEvent(review, 'stop-search')).toEqual({ ok: true, event: review });
      expect(review.eventId).toBe(`${review.payload.recordId}-g`);
      const at = Date.parse(searched.get(review.payload.recordId)!);
      expect(Date.parse(review.occurredAt)).toBeGreaterThanOrEqual(Math.floor(at / 1000) * 1000 - 60_000);
      expect(review.occurredAt < '2024-02-01T00:00:00Z').toBe(true);
    }
  });

  it('finds reasonable grounds recorded in most, not all, and is deterministic', () => {
    const reasonable = reviews.filter((review) => review.payload.reasonableGroundsRecorded).length;
    expect(reasonable).toBeGreaterThan(0.7 * reviews.length);
    expect(reasonable).toBeLessThan(reviews.length);
    expect(simulateGroundsReviews(recorded, { month: '2024-01' })).toEqual(reviews);
  });
});

describe('mixAnomalies with events delivered by another route', () => {
  it('repeats and breaks some of them, but never delivers, holds back or contradicts one', () => {
    const elsewhere = recordedSearches();
    const reviews = simulateGroundsReviews(elsewhere, { month: '2024-01' });
    const rates = { ...DEFAULT_ANOMALY_RATES, late: 0.2, duplicates: 0.05, conflicts: 0.05, invalid: 0.05 };
    const mixed = mixAnomalies(reviews, new Random(2), rates, elsewhere);
    const byId = new Map<string, FeedEvent>(elsewhere.map((event) => [event.eventId, event]));
    const parsed = (line: string) => {
      try {
        return JSON.parse(line) as FeedEvent;
      } catch {
        return undefined;
      }
    };
    let repeated = 0;
    for (const line of mixed.lines) {
      const event = parsed(line);
      const original = event && byId.get(event.eventId);
      if (!original) continue;
      const decoded = decodeEvent(event, 'stop-search');
      // A line with the id of an event delivered elsewhere is an exact copy or broken (malformed,
      // or of a force the reference data does not know), never a valid different version.
      if (decoded.ok && decoded.event.forceId === original.forceId) {
        expect(decoded.event).toEqual(original);
        repeated += 1;
      }
    }
    for (const line of mixed.lateLines) expect(byId.has(parsed(line)!.eventId)).toBe(false);
    expect(repeated).toBeGreaterThan(0);
    expect(repeated).toBeLessThan(mixed.counts.duplicates + 1);
    expect(mixed.counts.events).toBe(reviews.length);
    expect(mixed.lines.length + mixed.lateLines.length).toBe(
      reviews.length + mixed.counts.duplicates + mixed.counts.conflicts + mixed.counts.invalid,
    );
  });
});
