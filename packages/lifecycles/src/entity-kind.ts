import type { Feed, FeedEvent } from '@rollcall/contract';

/**
 * The lifecycles of feeds.md. Each belongs to exactly one feed, which is what lets the ingest
 * lock by (feed, force).
 */
export const ENTITY_KINDS = [
  'call',
  'incident',
  'circulation',
  'protection-case',
  'domestic-abuse-crime',
  'search',
] as const;
export type EntityKind = (typeof ENTITY_KINDS)[number];

export const FEED_OF_KIND: Readonly<Record<EntityKind, Feed>> = {
  call: 'call-handling',
  incident: 'call-handling',
  circulation: 'wanted-persons',
  'protection-case': 'dvpo',
  'domestic-abuse-crime': 'dvpo',
  search: 'stop-search',
};

export interface EntityRef {
  readonly kind: EntityKind;
  readonly entityId: string;
}

/** The lifecycle an event belongs to and its key within the force. */
export function entityOf(event: FeedEvent): EntityRef {
  switch (event.type) {
    case 'call.presented':
    case 'call.transferred':
    case 'call.answered':
    case 'call.abandoned':
    case 'call.assessed':
      return { kind: 'call', entityId: event.payload.callId };
    case 'incident.graded':
    case 'incident.attended':
      return { kind: 'incident', entityId: event.payload.incidentId };
    case 'wanted.circulated':
    case 'wanted.risk-changed':
    case 'wanted.arrested':
    case 'wanted.cancelled':
      return { kind: 'circulation', entityId: event.payload.circulationId };
    case 'dvpn.authorised':
    case 'dvpo.applied':
    case 'dvpo.decided':
    case 'dvpn.breached':
    case 'dvpo.breached':
      return { kind: 'protection-case', entityId: event.payload.caseRef };
    case 'protection.considered':
    case 'domestic-abuse.crime-recorded':
      return { kind: 'domestic-abuse-crime', entityId: event.payload.crimeRef };
    case 'stop-search.recorded':
    case 'stop-search.amended':
    case 'stop-search.grounds-reviewed':
      return { kind: 'search', entityId: event.payload.recordId };
  }
}

export function isEntityKind(value: string): value is EntityKind {
  return (ENTITY_KINDS as readonly string[]).includes(value);
}
