import type { z } from 'zod';
import { CALL_HANDLING_EVENTS, type CallHandlingEvent } from './call-handling.ts';
import { DVPO_EVENTS, type DvpoEvent } from './dvpo.ts';
import type { Feed } from './envelope.ts';
import { STOP_SEARCH_EVENTS, type StopSearchEvent } from './stop-search.ts';
import { WANTED_PERSONS_EVENTS, type WantedPersonsEvent } from './wanted-persons.ts';

/** Schemas of every event type, per feed. */
export const EVENTS_BY_FEED = {
  'call-handling': CALL_HANDLING_EVENTS,
  'wanted-persons': WANTED_PERSONS_EVENTS,
  dvpo: DVPO_EVENTS,
  'stop-search': STOP_SEARCH_EVENTS,
} as const satisfies Record<Feed, Record<string, z.ZodType>>;

/** Any event of the contract: a union discriminated on `type`. */
export type FeedEvent = CallHandlingEvent | WantedPersonsEvent | DvpoEvent | StopSearchEvent;
export type EventType = FeedEvent['type'];
export type EventOfType<T extends EventType> = Extract<FeedEvent, { type: T }>;
export type EventOfFeed<F extends Feed> = Extract<FeedEvent, { feed: F }>;

export const EVENT_SCHEMAS: Readonly<Record<EventType, z.ZodType>> = {
  ...CALL_HANDLING_EVENTS,
  ...WANTED_PERSONS_EVENTS,
  ...DVPO_EVENTS,
  ...STOP_SEARCH_EVENTS,
};

export const EVENT_TYPES = Object.keys(EVENT_SCHEMAS) as EventType[];

export function eventTypesOf(feed: Feed): string[] {
  return Object.keys(EVENTS_BY_FEED[feed]);
}

const FEED_OF_EVENT_TYPE: ReadonlyMap<string, Feed> = new Map(
  Object.entries(EVENTS_BY_FEED).flatMap(([feed, events]) => Object.keys(events).map((type) => [type, feed as Feed])),
);

/**
 * The feed an event type belongs to (each type belongs to exactly one), or undefined for a type
 * the contract does not have. A stored event's feed is always its type's: storage decodes each
 * event against its batch's feed and refuses a type of another.
 */
export function feedOfEventType(type: string): Feed | undefined {
  return FEED_OF_EVENT_TYPE.get(type);
}

export function isEventTypeOf(feed: Feed, type: string): type is EventType {
  return Object.hasOwn(EVENTS_BY_FEED[feed], type);
}

/**
 * Fields that hold person references, per event type. The pipeline replaces them with a keyed
 * hash before anything is stored (feeds.md); keeping the list beside the schemas means a new
 * person field cannot be added without deciding its handling here.
 */
export const PERSON_REFERENCE_FIELDS: Readonly<Partial<Record<EventType, readonly string[]>>> = {
  'wanted.circulated': ['personRef'],
  'dvpn.authorised': ['subjectRef'],
  'dvpo.applied': ['subjectRef'],
};

/** Field names that are person references in any event, for scrubbing input that failed validation. */
export const PERSON_REFERENCE_FIELD_NAMES: ReadonlySet<string> = new Set(
  Object.values(PERSON_REFERENCE_FIELDS).flatMap((fields) => fields ?? []),
);
