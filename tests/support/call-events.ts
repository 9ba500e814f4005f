import { exampleEvent, type FeedEvent } from '@rollcall/contract';

/**
 * `calls` answered 999 calls (two events each) spread over March 2024, with ids under `prefix`:
 * a plain, countable load for tests about delivery rather than measures.
 */
export function answeredCalls(calls: number, prefix = 'c'): FeedEvent[] {
  const events: FeedEvent[] = [];
  for (let i = 0; i < calls; i++) {
    const callId = `${prefix}-${i}`;
    const presentedAt = Date.parse('2024-03-01T00:00:00Z') + (i % 30) * 86_400_000 + (i % 86_000) * 1_000;
    events.push(
      exampleEvent('call.presented', {
        eventId: `${callId}-p`,
        occurredAt: new Date(presentedAt).toISOString(),
        payload: { callId, btTransferSeconds: 1.5 },
      }),
      exampleEvent('call.answered', {
        eventId: `${callId}-a`,
        occurredAt: new Date(presentedAt + 4_000).toISOString(),
        payload: { callId },
      }),
    );
  }
  return events;
}
