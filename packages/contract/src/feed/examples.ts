import type { Feed } from './envelope.ts';
import { type EventOfType, type EventType, feedOfEventType } from './feed-event.ts';

/**
 * One valid payload per event type, the smallest that satisfies the contract. Tests across the
 * repository build on these rather than repeating the contract's field lists.
 */
export const EXAMPLE_PAYLOADS: { readonly [T in EventType]: EventOfType<T>['payload'] } = {
  'call.presented': { callId: 'c-1', channel: '999', queue: 'primary', btTransferSeconds: 2.1 },
  'call.transferred': { callId: 'c-1', toQueue: 'secondary' },
  'call.answered': { callId: 'c-1' },
  'call.abandoned': { callId: 'c-1' },
  'call.assessed': { callId: 'c-1', structuredRiskAssessment: true, vulnerable: false, repeatVictim: false },
  'incident.graded': { incidentId: 'i-1', callId: 'c-1', grade: 'emergency', area: 'urban' },
  'incident.attended': { incidentId: 'i-1' },
  'wanted.circulated': { circulationId: 'w-1', personRef: 'PNC-1', risk: 'high', team: 'North', top20: false },
  'wanted.risk-changed': { circulationId: 'w-1', risk: 'medium' },
  'wanted.arrested': { circulationId: 'w-1' },
  'wanted.cancelled': { circulationId: 'w-1', reason: 'no longer wanted' },
  'dvpn.authorised': { caseRef: 'd-1', subjectRef: 'S-1' },
  'dvpo.applied': { caseRef: 'd-1', subjectRef: 'S-1' },
  'dvpo.decided': { caseRef: 'd-1', outcome: 'granted' },
  'dvpn.breached': { caseRef: 'd-1' },
  'dvpo.breached': { caseRef: 'd-1' },
  'protection.considered': { crimeRef: 'cr-1', considered: true },
  'domestic-abuse.crime-recorded': { crimeRef: 'cr-1' },
  'stop-search.recorded': {
    recordId: 's-1',
    searchType: 'Person search',
    legislation: 'Misuse of Drugs Act 1971 (section 23)',
    objectOfSearch: 'Controlled drugs',
    outcome: 'A no further action disposal',
    outcomeLinkedToObject: false,
    gender: 'Male',
    ageRange: '18-24',
    selfDefinedEthnicity: 'White - English/Welsh/Scottish/Northern Irish/British',
    officerDefinedEthnicity: 'White',
    latitude: 51.45,
    longitude: -2.59,
    removalOfMoreThanOuterClothing: false,
  },
  'stop-search.amended': { recordId: 's-1', outcome: 'Arrest' },
  'stop-search.grounds-reviewed': { recordId: 's-1', reasonableGroundsRecorded: true },
};

/** The feed an event type belongs to. */
export function feedOfType(type: EventType): Feed {
  const feed = feedOfEventType(type);
  if (feed === undefined) throw new Error(`no feed for event type ${type}`);
  return feed;
}

/** A valid event of `type`, with the example payload merged with `payload` overrides. */
export function exampleEvent<T extends EventType>(
  type: T,
  overrides: {
    eventId?: string;
    forceId?: string;
    occurredAt?: string;
    payload?: Partial<EventOfType<T>['payload']>;
  } = {},
): EventOfType<T> {
  return {
    eventId: overrides.eventId ?? `${type}-1`,
    feed: feedOfType(type),
    type,
    forceId: overrides.forceId ?? 'avon-and-somerset',
    occurredAt: overrides.occurredAt ?? '2022-03-01T10:00:00Z',
    schemaVersion: 1,
    payload: { ...EXAMPLE_PAYLOADS[type], ...overrides.payload },
  } as EventOfType<T>;
}
