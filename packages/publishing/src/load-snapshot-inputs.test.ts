import { createCalendar } from '@rollcall/calendar';
import { exampleEvent } from '@rollcall/contract';
import { storeFeedBatch } from '@rollcall/store';
import { testIngestContext } from '@rollcall/testing';
import { AS_AT_METRIC } from '@rollcall/contract';
import { createTestDatabase, type TestDatabase } from '@rollcall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readCallsWaitingAt } from './load-snapshot-inputs.ts';

let test: TestDatabase;
const context = testIngestContext();
// The end of 1 March 2022 in London (GMT): midnight UTC.
const END_OF_MARCH_1 = new Date(createCalendar('Europe/London').endOfDay('2022-03-01'));

const presented = (callId: string, forceId: string, occurredAt: string) =>
  exampleEvent('call.presented', {
    eventId: `${callId}-p`,
    forceId,
    occurredAt,
    payload: { callId, btTransferSeconds: 0 },
  });

beforeAll(async () => {
  test = await createTestDatabase();
  await storeFeedBatch(
    test.db,
    {
      feed: 'call-handling',
      inputs: [
        presented('kent-1', 'kent', '2022-03-01T22:00:00Z'),
        presented('kent-2', 'kent', '2022-03-01T23:30:00Z'),
        presented('essex-1', 'essex', '2022-03-01T23:00:00Z'),
        // Presented two days before and never answered nor abandoned: lost data, not waiting.
        presented('kent-lost', 'kent', '2022-02-27T23:00:00Z'),
      ],
      source: 't',
    },
    context,
  );
});
afterAll(async () => {
  await test.destroy();
});

describe('readCallsWaitingAt', () => {
  it('reads only the forces asked for, and not calls open for more than 24 hours', async () => {
    expect(END_OF_MARCH_1.toISOString()).toBe('2022-03-02T00:00:00.000Z');
    expect(await readCallsWaitingAt(test.db, ['kent'], END_OF_MARCH_1)).toEqual([
      { forceId: 'kent', metric: AS_AT_METRIC.callsWaiting, dim: '999|primary', value: 2 },
      { forceId: 'kent', metric: AS_AT_METRIC.callsLongestWaitMs, dim: '999|primary', value: 2 * 3_600_000 },
    ]);
    const both = await readCallsWaitingAt(test.db, ['kent', 'essex'], END_OF_MARCH_1);
    expect(both.map((row) => row.forceId).sort()).toEqual(['essex', 'essex', 'kent', 'kent']);
    expect(await readCallsWaitingAt(test.db, [], END_OF_MARCH_1)).toEqual([]);
  });
});
