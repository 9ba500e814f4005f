import { describe, expect, it } from 'vitest';
import { judgeAccounting } from './accounting-health.ts';

const check = (fields: Partial<Parameters<typeof judgeAccounting>[0][number]>) => ({
  feed: 'call-handling',
  forceId: 'kent',
  accountedStored: 10,
  eventsInTable: 10,
  accountedRejected: 2,
  rejectedInTable: 2,
  ...fields,
});

describe('judgeAccounting', () => {
  it('is ok with no reasons when every counter agrees with its table', () => {
    expect(judgeAccounting([check({}), check({ feed: 'dvpo' })])).toEqual({
      status: 'ok',
      mismatches: [],
      reasons: [],
    });
  });

  it('is critical for any disagreement, naming feed, force and both sides', () => {
    const stored = check({ eventsInTable: 9 });
    const both = check({
      feed: 'stop-search',
      forceId: '',
      accountedStored: 3,
      eventsInTable: 4,
      accountedRejected: 0,
      rejectedInTable: 1,
    });
    expect(judgeAccounting([check({ feed: 'dvpo' }), stored, both])).toEqual({
      status: 'critical',
      mismatches: [stored, both],
      reasons: [
        'accounting: call-handling kent counts 10 stored but events holds 9; an outcome went unrecorded: keep this output and report it',
        'accounting: stop-search (unreadable) counts 3 stored but events holds 4 and counts 0 rejected but rejected_events holds 1; an outcome went unrecorded: keep this output and report it',
      ],
    });
  });
});
