import { describe, expect, expectTypeOf, it } from 'vitest';
import type { CallPresented } from './call-handling.ts';
import { decodeEvent } from './decode-event.ts';
import { EXAMPLE_PAYLOADS, exampleEvent, feedOfType } from './examples.ts';
import { EVENT_TYPES, type EventOfType, type FeedEvent } from './feed-event.ts';

/** Payload fields that the contract requires, per type: removing any one must be rejected. */
const REQUIRED_PAYLOAD_FIELDS: Record<(typeof EVENT_TYPES)[number], string[]> = {
  'call.presented': ['callId', 'channel', 'queue', 'btTransferSeconds'],
  'call.transferred': ['callId', 'toQueue'],
  'call.answered': ['callId'],
  'call.abandoned': ['callId'],
  'call.assessed': ['callId', 'structuredRiskAssessment', 'vulnerable', 'repeatVictim'],
  'incident.graded': ['incidentId', 'grade', 'area'],
  'incident.attended': ['incidentId'],
  'wanted.circulated': ['circulationId', 'personRef', 'risk', 'team'],
  'wanted.risk-changed': ['circulationId', 'risk'],
  'wanted.arrested': ['circulationId'],
  'wanted.cancelled': ['circulationId', 'reason'],
  'dvpn.authorised': ['caseRef', 'subjectRef'],
  'dvpo.applied': ['caseRef', 'subjectRef'],
  'dvpo.decided': ['caseRef', 'outcome'],
  'dvpn.breached': ['caseRef'],
  'dvpo.breached': ['caseRef'],
  'protection.considered': ['crimeRef', 'considered'],
  'domestic-abuse.crime-recorded': ['crimeRef'],
  'stop-search.recorded': ['recordId', 'searchType'],
  'stop-search.amended': ['recordId'],
  'stop-search.grounds-reviewed': ['recordId', 'reasonableGroundsRecorded'],
};

const rejectReason = (input: unknown, feed?: Parameters<typeof decodeEvent>[1]): string => {
  const result = decodeEvent(input, feed);
  if (result.ok) throw new Error(`expected a rejection for ${JSON.stringify(input)}`);
  return result.reason;
};

describe('decodeEvent: every event type', () => {
  it('covers all 21 types of feeds.md', () => {
    expect(EVENT_TYPES).toHaveLength(21);
    expect(Object.keys(REQUIRED_PAYLOAD_FIELDS).sort()).toEqual([...EVENT_TYPES].sort());
  });

  describe.each(EVENT_TYPES)('%s', (type) => {
    const valid = exampleEvent(type);

    it('accepts the example on its own feed', () => {
      const result = decodeEvent(valid, feedOfType(type));
      expect(result).toEqual({ ok: true, event: valid });
    });

    it('keeps unknown extra fields', () => {
      const withExtras = { ...valid, source: 'cad', payload: { ...valid.payload, note: 'x' } };
      const result = decodeEvent(withExtras, feedOfType(type));
      expect(result.ok && result.event).toMatchObject({ source: 'cad', payload: { note: 'x' } });
    });

    it.each(REQUIRED_PAYLOAD_FIELDS[type])('rejects a missing payload.%s, naming it', (field) => {
      const payload: Record<string, unknown> = { ...EXAMPLE_PAYLOADS[type] };
      delete payload[field];
      const reason = rejectReason({ ...valid, payload });
      expect(reason).toContain(field === 'recordId' || type !== 'stop-search.amended' ? `payload.${field}` : 'payload');
    });

    it('rejects a wrong-typed payload field', () => {
      const [first] = REQUIRED_PAYLOAD_FIELDS[type];
      const reason = rejectReason({ ...valid, payload: { ...valid.payload, [first!]: 42 } });
      expect(reason).toMatch(new RegExp(`^payload\\.${first}: `));
    });

    it('rejects it on another feed', () => {
      const other = feedOfType(type) === 'dvpo' ? 'stop-search' : 'dvpo';
      expect(rejectReason(valid, other)).toContain('does not match the queue it arrived on');
    });
  });
});

describe('decodeEvent: the envelope', () => {
  const valid = exampleEvent('call.answered');

  it.each([
    ['not an object', 'just text', 'event must be a JSON object (got string)'],
    ['an array', [valid], 'event must be a JSON object (got an array)'],
    ['null', null, 'event must be a JSON object (got null)'],
    ['no schemaVersion', { ...valid, schemaVersion: undefined }, 'schemaVersion: unknown version'],
    ['an unknown schemaVersion', { ...valid, schemaVersion: 2 }, 'schemaVersion: unknown version 2; this pipeline reads version 1 only'],
    ['a string schemaVersion', { ...valid, schemaVersion: '1' }, 'schemaVersion: unknown version "1"'],
    ['an unknown feed', { ...valid, feed: 'traffic' }, 'feed: must be one of'],
    ['an unknown type', { ...valid, type: 'call.held' }, 'type: "call.held" is not a call-handling event type'],
    ['a type of another feed', { ...valid, type: 'wanted.arrested' }, 'is not a call-handling event type'],
    ['a time without offset', { ...valid, occurredAt: '2022-03-01T10:00:00' }, 'occurredAt: must be an ISO 8601 time'],
    ['an impossible date', { ...valid, occurredAt: '2022-02-30T10:00:00Z' }, 'occurredAt: must be an ISO 8601 time'],
    ['a date only', { ...valid, occurredAt: '2022-03-01' }, 'occurredAt: must be an ISO 8601 time'],
    ['an empty eventId', { ...valid, eventId: '' }, 'eventId: '],
    ['an eventId over 128 characters', { ...valid, eventId: 'e'.repeat(129) }, 'eventId: '],
    ['a non-slug forceId', { ...valid, forceId: 'Avon & Somerset' }, 'forceId: must be a force slug'],
    ['no payload', { ...valid, payload: undefined }, 'payload: '],
  ])('rejects %s', (_name, input, expected) => {
    expect(rejectReason(input)).toContain(expected);
  });

  it('accepts offsets other than Z', () => {
    expect(decodeEvent({ ...valid, occurredAt: '2022-06-01T10:00:00+01:00' }).ok).toBe(true);
  });

  it('files a rejection under whatever ids it could read', () => {
    const result = decodeEvent({ ...valid, schemaVersion: 3 });
    expect(result).toMatchObject({ ok: false, hint: { eventId: valid.eventId, forceId: 'avon-and-somerset', type: 'call.answered' } });
  });
});

describe('decodeEvent: rules beyond field types', () => {
  it('requires btTransferSeconds for 999 calls and forbids it for 101 calls', () => {
    const call999 = exampleEvent('call.presented');
    expect(rejectReason({ ...call999, payload: { callId: 'c', channel: '999', queue: 'primary' } })).toBe(
      'payload.btTransferSeconds: required for 999 calls',
    );
    expect(
      rejectReason({ ...call999, payload: { callId: 'c', channel: '101', queue: 'primary', btTransferSeconds: 1 } }),
    ).toBe('payload.btTransferSeconds: must be absent for 101 calls');
    expect(decodeEvent({ ...call999, payload: { callId: 'c', channel: '101', queue: 'primary' } }).ok).toBe(true);
    expect(rejectReason({ ...call999, payload: { ...call999.payload, btTransferSeconds: -1 } })).toContain(
      'payload.btTransferSeconds',
    );
  });

  it('only transfers to the secondary queue', () => {
    const event = exampleEvent('call.transferred');
    expect(rejectReason({ ...event, payload: { callId: 'c', toQueue: 'primary' } })).toContain('payload.toQueue');
  });

  it('requires an amendment to change something', () => {
    const event = exampleEvent('stop-search.amended');
    expect(rejectReason({ ...event, payload: { recordId: 's-1' } })).toContain('must change at least one of searchType');
  });

  it('accepts nulls and omissions for not-recorded stop-search fields', () => {
    const event = exampleEvent('stop-search.recorded', {
      payload: { gender: null, ageRange: null, latitude: null, longitude: null, selfDefinedEthnicity: null },
    });
    expect(decodeEvent(event).ok).toBe(true);
    expect(decodeEvent({ ...event, payload: { recordId: 's-2', searchType: 'Vehicle search' } }).ok).toBe(true);
  });
});

describe('event types', () => {
  it('narrows the union on type', () => {
    expectTypeOf<EventOfType<'call.presented'>>().toEqualTypeOf<CallPresented>();
    expectTypeOf<Extract<FeedEvent, { type: 'wanted.circulated' }>['payload']['personRef']>().toEqualTypeOf<string>();
    expectTypeOf<EventOfType<'dvpo.decided'>['payload']['outcome']>().toEqualTypeOf<'granted' | 'refused' | 'withdrawn'>();
  });
});
