import { describe, expect, it } from 'vitest';
import type { Feed } from './envelope.ts';
import { EVENT_TYPES, EVENTS_BY_FEED, feedOfEventType, isEventTypeOf } from './feed-event.ts';

describe('feedOfEventType', () => {
  it('names, for every type of the contract, the one feed that has it', () => {
    for (const type of EVENT_TYPES) {
      const feeds = (Object.keys(EVENTS_BY_FEED) as Feed[]).filter((feed) => isEventTypeOf(feed, type));
      expect(feeds).toHaveLength(1);
      expect(feedOfEventType(type)).toBe(feeds[0]);
    }
    expect(feedOfEventType('incident.graded')).toBe('call-handling');
    expect(feedOfEventType('protection.considered')).toBe('dvpo');
  });

  it('knows no feed for a type the contract does not have', () => {
    for (const type of ['call.teleported', 'call', '', 'toString', '__proto__'])
      expect(feedOfEventType(type)).toBeUndefined();
  });
});
