import { createCalendar } from '@rollcall/calendar';
import { describe, expect, it } from 'vitest';
import { interpretCall } from './call-lifecycle.ts';
import { mergeFacts } from './fact.ts';
import { fact, totals } from './test-facts.ts';

const calendar = createCalendar('Europe/London');
const interpret = (...facts: ReturnType<typeof fact>[]) => interpretCall(mergeFacts([], facts), calendar);
/** A 101 call presented on the primary queue at 10:00 on 1 March 2022, with the facts that follow. */
const call101 = (...facts: ReturnType<typeof fact>[]) =>
  interpret(
    fact('call.presented', '2022-03-01T10:00:00Z', { channel: '101', queue: 'primary', btTransferSeconds: undefined }),
    ...facts,
  );

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
    expect(lifecycle.flags).toEqual([
      'more than one call.answered or call.abandoned: the earliest counts, later ones are ignored',
    ]);
  });

  it('ignores an answer timed before presentation', () => {
    const lifecycle = interpret(
      fact('call.presented', '2022-03-01T10:00:00Z'),
      fact('call.answered', '2022-03-01T09:59:00Z'),
    );
    expect(lifecycle.status).toBe('waiting');
    expect(lifecycle.flags).toContain('answer or abandonment timed before call.presented: ignored');
  });

  it('files a 101 abandonment under the secondary queue when transferred first, with its wait', () => {
    const lifecycle = call101(
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

  it('does not count an assessment timed before the answer (or before presentation), and flags it', () => {
    const presented = fact('call.presented', '2022-03-01T10:00:00Z', { channel: '101', btTransferSeconds: undefined });
    const answered = fact('call.answered', '2022-03-01T10:05:00Z');
    const early = interpret(
      presented,
      answered,
      fact('call.assessed', '2022-03-01T10:04:59Z', { structuredRiskAssessment: true, repeatVictim: true }),
    );
    expect(totals(early.contributions)).toEqual({
      '2022-03-01 calls.presented 101': 1,
      '2022-03-01 calls.answered 101': 1,
      '2022-03-01 calls.101.answered ': 1,
      '2022-03-01 calls.101.wait_ms ': 300_000,
      '2022-03-01 calls.101.wait_bins 300': 1,
    });
    expect(early.flags).toEqual(['call.assessed timed before call.answered: not counted']);
    const beforePresentation = interpret(
      presented,
      answered,
      fact('call.assessed', '2022-03-01T09:59:00Z', { structuredRiskAssessment: true }),
    );
    expect(totals(beforePresentation.contributions)['2022-03-01 calls.assessed 101']).toBeUndefined();
    expect(beforePresentation.flags).toEqual(['call.assessed timed before call.answered: not counted']);
  });

  it('counts the latest assessment at or after the answer and leaves out one timed before it', () => {
    const lifecycle = interpret(
      fact('call.presented', '2022-03-01T10:00:00Z', { btTransferSeconds: 1 }),
      fact('call.answered', '2022-03-01T10:00:05Z'),
      fact('call.assessed', '2022-03-01T10:00:05Z', {
        structuredRiskAssessment: false,
        repeatVictim: true,
        vulnerable: false,
      }),
      fact('call.assessed', '2022-03-01T10:00:01Z', {
        structuredRiskAssessment: true,
        repeatVictim: false,
        vulnerable: true,
      }),
    );
    const sums = totals(lifecycle.contributions);
    expect(sums['2022-03-01 calls.assessed 999']).toBe(1);
    expect(sums['2022-03-01 calls.assessed.repeat_victim 999']).toBe(1);
    expect(sums['2022-03-01 calls.assessed.structured_risk 999']).toBeUndefined();
    expect(sums['2022-03-01 calls.assessed.vulnerable 999']).toBeUndefined();
    expect(lifecycle.flags).toEqual(['call.assessed timed before call.answered: not counted']);
  });

  it('flags and ignores a transfer timed before presentation: the call was abandoned on its own queue', () => {
    const lifecycle = call101(
      fact('call.transferred', '2022-03-01T09:59:59Z'),
      fact('call.abandoned', '2022-03-01T10:01:10Z'),
    );
    expect(totals(lifecycle.contributions)).toEqual({
      '2022-03-01 calls.presented 101': 1,
      '2022-03-01 calls.101.abandoned_bins primary|70': 1,
    });
    expect(lifecycle.flags).toEqual(['call.transferred timed before call.presented: ignored']);
  });

  it('counts a transfer at the very instant of the abandonment, and ignores later ones without a flag', () => {
    const abandoned = fact('call.abandoned', '2022-03-01T10:03:00Z');
    const atTheEnd = call101(fact('call.transferred', '2022-03-01T10:03:00Z'), abandoned);
    expect(totals(atTheEnd.contributions)['2022-03-01 calls.101.abandoned_bins secondary|180']).toBe(1);
    expect(atTheEnd.flags).toEqual([]);

    const afterTheEnd = call101(fact('call.transferred', '2022-03-01T10:03:00.001Z'), abandoned);
    expect(totals(afterTheEnd.contributions)).toEqual({
      '2022-03-01 calls.presented 101': 1,
      '2022-03-01 calls.101.abandoned_bins primary|180': 1,
    });
    expect(afterTheEnd.flags).toEqual([]);

    const twice = call101(
      fact('call.transferred', '2022-03-01T10:01:00Z', {}, 't1'),
      fact('call.transferred', '2022-03-01T10:02:00Z', {}, 't2'),
      abandoned,
    );
    expect(totals(twice.contributions)['2022-03-01 calls.101.transferred ']).toBe(1);
    expect(twice.flags).toEqual([]);
  });
});
