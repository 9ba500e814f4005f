import { decodeEvent } from '@rollcall/contract';
import { describe, expect, it } from 'vitest';
import { toStopSearchWithdrawal } from './to-stop-search-withdrawal.ts';

describe('toStopSearchWithdrawal', () => {
  it('withdraws a record with an amendment dated and named by the edition', () => {
    const event = toStopSearchWithdrawal({ forceId: 'kent', month: '2019-07' }, 12, 3);
    expect(event).toEqual({
      eventId: 'pu-kent-2019-07-12-e000003-withdrawn',
      feed: 'stop-search',
      type: 'stop-search.amended',
      forceId: 'kent',
      occurredAt: '2019-07-01T00:00:03Z',
      schemaVersion: 1,
      payload: {
        recordId: 'pu-kent-2019-07-12',
        legislation: null,
        objectOfSearch: null,
        outcome: null,
        outcomeLinkedToObject: null,
        gender: null,
        ageRange: null,
        selfDefinedEthnicity: null,
        officerDefinedEthnicity: null,
        latitude: null,
        longitude: null,
        removalOfMoreThanOuterClothing: null,
        withdrawn: true,
      },
    });
    // What the feed workers decode it to: the event as sent.
    expect(decodeEvent(JSON.parse(JSON.stringify(event)), 'stop-search')).toEqual({ ok: true, event });
  });
});
