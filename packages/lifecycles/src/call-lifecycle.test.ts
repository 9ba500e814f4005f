import { createCalendar } from '@rollcall/calendar';
import { describe, expect, it } from 'vitest';
import { interpretCall } from './call-lifecycle.ts';
import { mergeFacts } from './fact.ts';
import { fact, totals } from './test-facts.ts';

const calendar = createCalendar('Europe/London');
const interpret = (...facts: ReturnType<typeof fact>[]) => interpretCall(mergeFacts([], facts), calendar);

describe('interpretCall', () => {
  it('answers the feeds.md example in 8.1 s (2.1 s BT transfer + 6 s)', () => {
    const lifecycle = interpret(
      fact('call.presented', '2022-03-01T10:00:00Z', { btTransferSeconds: 2.1 }),
      fact('call.answered', '2022-03-01T10:00:06Z'),
    );
    expect(lifecycle.status).toBe('answered');
    expect(totals(lifecycle.contributions)).toEqual({
      '2022-03-01 calls.presented 999': 1,
      '2022-03-01 calls.answered 999': 1,
      '2022-03-01 calls.999.answered ': 1,
      '2022-03-01 calls.999.answer_ms ': 8_100,
      '2022-03-01 calls.999.answer_bins 8': 1,
    });
    expect(lifecycle.flags).toEqual([]);
  });

  it('counts a call on the London day it was presented, across the spring DST change', () => {
    const lifecycle = interpret(
      fact('call.presented', '2022-03-31T23:30:00Z', { btTransferSeconds: 0 }),
      fact('call.answered', '2022-03-31T23:30:12Z'),
    );
    expect(totals(lifecycle.contributions)['2022-04-01 calls.999.answer_bins 12']).toBe(1);
  });

  it('waits for call.presented before counting an answer that arrived first', () => {
    const answered = fact('call.answered', '2022-03-01T10:00:06Z');
    const early = interpretCall([answered], calendar);
    expect(early.status).toBe('pending');
    expect(early.contributions).toEqual([]);
    expect(early.flags).toEqual(['awaiting call.presented: nothing counted until it arrives']);
  });

  it('counts only the earliest of two answers and flags the other', () => {
    const lifecycle = interpret(
      fact('call.presented', '2022-03-01T10:00:00Z', { btTransferSeconds: 1 }),
      fact('call.answered', '2022-03-01T10:00:20Z'),
      fact('call.answered', '2022-03-01T10:00:05Z'),
    );
    expect(totals(lifecycle.contributions)['2022-03-01 calls.999.answer_ms ']).toBe(6_000);
    expect(lifecycle.flags).toEqual(['more than one call.answered or call.abandoned: the earliest counts, later ones are ignored']);
  });

  it('ignores an answer timed before presentation', () => {
    const lifecycle = interpret(fact('call.presented', '2022-03-01T10:00:00Z'), fact('call.answered', '2022-03-01T09:59:00Z'));
    expect(lifecycle.status).toBe('waiting');
    expect(lifecycle.flags).toContain('answer or abandonment timed before call.presented: ignored');
  });

  it('files a 101 abandonment under the secondary queue when transferred first, with its wait', () => {
    const lifecycle = interpret(
      fact('call.presented', '2022-03-01T10:00:00Z', { channel: '101', queue: 'primary', btTransferSeconds: undefined }),
      fact('call.transferred', '2022-03-01T10:02:00Z'),
      fact('call.abandoned', '2022-03-01T10:03:05Z'),
    );
    expect(totals(lifecycle.contributions)).toEqual({
      '2022-03-01 calls.presented 101': 1,
      '2022-03-01 calls.101.transferred ': 1,
      '2022-03-01 calls.101.abandoned_bins secondary|185': 1,
    });
  });

  it('counts the latest assessment of an answered call', () => {
    const lifecycle = interpret(
      fact('call.presented', '2022-03-01T10:00:00Z', { channel: '101', btTransferSeconds: undefined }),
      fact('call.answered', '2022-03-01T10:05:00Z'),
      fact('call.assessed', '2022-03-01T10:10:00Z', { structuredRiskAssessment: false, repeatVictim: true }),
      fact('call.assessed', '2022-03-01T10:12:00Z', { structuredRiskAssessment: true, repeatVictim: false }),
    );
    const sums = totals(lifecycle.contributions);
    expect(sums['2022-03-01 calls.assessed 101']).toBe(1);
    expect(sums['2022-03-01 calls.assessed.structured_risk 101']).toBe(1);
    expect(sums['2022-03-01 calls.assessed.repeat_victim 101']).toBeUndefined();
    expect(sums['2022-03-01 calls.101.wait_bins 300']).toBe(1);
  });
});
