import { createTestDatabase, type TestDatabase } from '../test/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { insertRejectedEvents } from './rejected-events.repository.ts';
import { summariseRejectionReasons } from './rejection-summary.repository.ts';

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => {
  await test.destroy();
});

const rejected = (feed: string, reasons: readonly string[]) =>
  insertRejectedEvents(
    test.db,
    reasons.map((reason, index) => ({
      feed,
      forceId: null,
      eventId: `e-${index}`,
      eventType: null,
      reason,
      source: 'test',
      payload: '{}',
    })),
  );

describe('summariseRejectionReasons', () => {
  it('groups data.police.uk rows by column and problem, whatever the value and the colons in it', async () => {
    await rejected('stop-search', [
      'Date "2019-08-01T10:15:00+01:00" is on 2019-08-01 in London, outside the file\'s month 2019-07',
      'Date "2019-08-01T23:59:59+01:00" is on 2019-08-01 in London, outside the file\'s month 2019-07',
      'Date "31/07/2019 10:15" is not a date and time like 2019-01-31T14:05:00+00:00',
      'Date "2019-07-32T10:15:00" is not a date and time like 2019-01-31T14:05:00+00:00; Type "Boat search" must be one of Person search, Vehicle search',
      'Type "Boat: search" must be one of Person search, Vehicle search',
      'Latitude "51.5\\"x" is not a number',
      'is not valid CSV: Invalid Closing Quote: got "x" at line 3',
      'has 13 cells, expected 15',
    ]);
    await rejected('call-handling', [
      'payload.btTransferSeconds: required for 999 calls',
      'payload.btTransferSeconds: required for 999 calls',
      'eventId: conflict, "c:1" was stored with different content (content hash 0123456789ab differs); not applied',
      'forceId: unknown force "x:y" (not in the reference data)',
      'event must be a JSON object (got array)',
      '',
    ]);
    expect(await summariseRejectionReasons(test.db)).toEqual([
      { feed: 'call-handling', reason: 'payload.btTransferSeconds', events: 2 },
      { feed: 'call-handling', reason: '(no reason)', events: 1 },
      { feed: 'call-handling', reason: 'event must be a JSON object (got array)', events: 1 },
      { feed: 'call-handling', reason: 'eventId', events: 1 },
      { feed: 'call-handling', reason: 'forceId', events: 1 },
      { feed: 'stop-search', reason: 'Date "..." is not a date and time like 2019-01-31T14:05:00+00:00', events: 2 },
      {
        feed: 'stop-search',
        reason: 'Date "..." is on 2019-08-01 in London, outside the file\'s month 2019-07',
        events: 2,
      },
      { feed: 'stop-search', reason: 'Latitude "..." is not a number', events: 1 },
      { feed: 'stop-search', reason: 'Type "..." must be one of Person search, Vehicle search', events: 1 },
      { feed: 'stop-search', reason: 'has 13 cells, expected 15', events: 1 },
      { feed: 'stop-search', reason: 'is not valid CSV', events: 1 },
    ]);
  });
});
