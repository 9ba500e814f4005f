import { createCalendar } from '@rollcall/calendar';
import { describe, expect, it } from 'vitest';
import { mergeFacts } from './fact.ts';
import { interpretProtectionCase } from './protection-case-lifecycle.ts';
import { fact, totals } from './test-facts.ts';

const calendar = createCalendar('Europe/London');
const interpret = (...facts: ReturnType<typeof fact>[]) => interpretProtectionCase(mergeFacts([], facts), calendar);

describe('interpretProtectionCase', () => {
  it('counts a notice, an order, its grant and breaches on their own days', () => {
    const lifecycle = interpret(
      fact('dvpn.authorised', '2018-06-01T10:00:00+01:00'),
      fact('dvpo.applied', '2018-06-02T10:00:00+01:00'),
      fact('dvpo.decided', '2018-06-03T10:00:00+01:00', { outcome: 'granted' }),
      fact('dvpo.breached', '2018-06-10T10:00:00+01:00', {}, 'b1'),
      fact('dvpo.breached', '2018-06-12T10:00:00+01:00', {}, 'b2'),
    );
    expect(totals(lifecycle.contributions)).toEqual({
      '2018-06-01 dvpn.authorised ': 1,
      '2018-06-02 dvpo.applied ': 1,
      '2018-06-03 dvpo.decided granted': 1,
      '2018-06-10 dvpo.breached ': 1,
      '2018-06-12 dvpo.breached ': 1,
    });
    expect(lifecycle.status).toBe('order granted');
  });

  it('does not count a decision without an application, and counts it once the application arrives', () => {
    const decision = fact('dvpo.decided', '2018-06-03T10:00:00+01:00', { outcome: 'refused' });
    const alone = interpret(decision);
    expect(alone.contributions).toEqual([]);
    expect(alone.flags).toContain('dvpo.decided without an earlier dvpo.applied: not counted');
    const complete = interpret(decision, fact('dvpo.applied', '2018-06-02T10:00:00+01:00'));
    expect(totals(complete.contributions)['2018-06-03 dvpo.decided refused']).toBe(1);
    expect(complete.flags).toEqual([]);
  });

  it('does not count a breach of an order that was refused', () => {
    const lifecycle = interpret(
      fact('dvpo.applied', '2018-06-02T10:00:00+01:00'),
      fact('dvpo.decided', '2018-06-03T10:00:00+01:00', { outcome: 'refused' }),
      fact('dvpo.breached', '2018-06-10T10:00:00+01:00'),
    );
    expect(totals(lifecycle.contributions)['2018-06-10 dvpo.breached ']).toBeUndefined();
    expect(lifecycle.flags).toContain('dvpo.breached without an earlier granted order: not counted');
  });
});
