import { decodeEvent, FEEDS } from '@rollcall/events';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ANOMALY_RATES, mixAnomalies } from './mix-anomalies.ts';
import { Random } from './random.ts';
import { simulateForceMonth } from './simulate-force-month.ts';

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
    for (const feed of FEEDS) for (const event of month[feed]) expect(event.occurredAt < '2024-02-01T00:00:00Z').toBe(true);
  });

  it('answers about nine in ten 999 calls within 10 seconds, as a force near the standard does', () => {
    const full = simulateForceMonth({ forceId: 'avon-and-somerset', month: '2024-01', scale: 0.2, feeds: ['call-handling'] })['call-handling'];
    const presented = new Map<string, { at: number; bt: number }>();
    let within = 0;
    let answered = 0;
    for (const event of full) {
      if (event.type === 'call.presented' && event.payload.channel === '999') presented.set(event.payload.callId, { at: Date.parse(event.occurredAt), bt: event.payload.btTransferSeconds ?? 0 });
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
    const events = simulateForceMonth({ forceId: 'avon-and-somerset', month: '2024-01', scale: 0.05, feeds: ['dvpo'] }).dvpo;
    const mixed = mixAnomalies(events, new Random(1), { ...DEFAULT_ANOMALY_RATES, invalid: 0.05, duplicates: 0.05, conflicts: 0.01 });
    const { counts } = mixed;
    expect(mixed.lines.length + mixed.lateLines.length).toBe(events.length + counts.duplicates + counts.conflicts + counts.invalid);
    const ids = new Set([...mixed.lines, ...mixed.lateLines].flatMap((line) => {
      try {
        return [(JSON.parse(line) as { eventId: string }).eventId];
      } catch {
        return [];
      }
    }));
    for (const event of events) expect(ids.has(event.eventId)).toBe(true);
    expect(counts.invalid).toBeGreaterThan(0);
  });
});
