import { describe, expect, expectTypeOf, it } from 'vitest';
import type { CallPresented } from './call-handling.ts';
import { decodeEvent } from './decode-event.ts';
import { EXAMPLE_PAYLOADS, exampleEvent, feedOfType } from './examples.ts';
import { EVENT_TYPES, type EventOfType, type EventType, type FeedEvent } from './feed-event.ts';

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
    ['not an object', 'just text', 'event must be a JSON object (got a string that is not JSON)'],
    ['an array', [valid], 'event must be a JSON object (got an array)'],
    ['null', null, 'event must be a JSON object (got null)'],
    [
      'a schemaVersion set to undefined (the key present)',
      { ...valid, schemaVersion: undefined },
      'schemaVersion: unknown version',
    ],
    [
      'an unknown schemaVersion',
      { ...valid, schemaVersion: 2 },
      'schemaVersion: unknown version 2; this pipeline reads version 1 only',
    ],
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
    expect(result).toMatchObject({
      ok: false,
      hint: { eventId: valid.eventId, forceId: 'avon-and-somerset', type: 'call.answered' },
    });
  });
});

describe('decodeEvent: each kind of invalid input, with its exact reason', () => {
  /** The example of `type` with `payload` merged over its payload. */
  const withPayload = (type: EventType, payload: Record<string, unknown>) => {
    const event = exampleEvent(type);
    return { ...event, payload: { ...event.payload, ...payload } };
  };

  it('rejects an event with no schemaVersion key at all', () => {
    const { schemaVersion: _, ...withoutVersion } = exampleEvent('call.answered');
    expect('schemaVersion' in withoutVersion).toBe(false);
    expect(rejectReason(withoutVersion)).toBe('schemaVersion: required');
  });

  // Values outside an enum, per enum of the contract.
  it.each<[EventType, string, unknown, string]>([
    ['call.presented', 'channel', '112', 'Invalid option: expected one of "101"|"999"'],
    ['call.presented', 'queue', 'tertiary', 'Invalid option: expected one of "primary"|"secondary"'],
    ['call.transferred', 'toQueue', 'tertiary', 'Invalid input: expected "secondary"'],
    [
      'incident.graded',
      'grade',
      'urgent',
      'Invalid option: expected one of "emergency"|"priority"|"scheduled"|"no-deployment"',
    ],
    ['incident.graded', 'area', 'suburban', 'Invalid option: expected one of "urban"|"rural"'],
    ['wanted.circulated', 'risk', 'critical', 'Invalid option: expected one of "high"|"medium"|"low"'],
    ['wanted.risk-changed', 'risk', 'none', 'Invalid option: expected one of "high"|"medium"|"low"'],
    ['dvpo.decided', 'outcome', 'adjourned', 'Invalid option: expected one of "granted"|"refused"|"withdrawn"'],
    [
      'stop-search.recorded',
      'searchType',
      'Strip search',
      'Invalid option: expected one of "Person search"|"Vehicle search"|"Person and Vehicle search"',
    ],
    [
      'stop-search.amended',
      'searchType',
      'Car search',
      'Invalid option: expected one of "Person search"|"Vehicle search"|"Person and Vehicle search"',
    ],
    // Case matters: the contract's values are exactly as feeds.md writes them.
    ['call.presented', 'queue', 'Primary', 'Invalid option: expected one of "primary"|"secondary"'],
    ['dvpo.decided', 'outcome', 'Granted', 'Invalid option: expected one of "granted"|"refused"|"withdrawn"'],
    // Wrong types, and values out of bounds, on fields other than the first.
    ['protection.considered', 'considered', 'yes', 'Invalid input: expected boolean, received string'],
    ['wanted.circulated', 'top20', 'no', 'Invalid input: expected boolean, received string'],
    ['wanted.risk-changed', 'top20', 1, 'Invalid input: expected boolean, received number'],
    ['call.assessed', 'vulnerable', 'false', 'Invalid input: expected boolean, received string'],
    ['call.assessed', 'repeatVictim', null, 'Invalid input: expected boolean, received null'],
    ['call.presented', 'btTransferSeconds', '2', 'Invalid input: expected number, received string'],
    ['stop-search.recorded', 'latitude', 200, 'Too big: expected number to be <=90'],
    ['stop-search.recorded', 'latitude', -90.5, 'Too small: expected number to be >=-90'],
    ['stop-search.recorded', 'longitude', -181, 'Too small: expected number to be >=-180'],
    ['stop-search.recorded', 'latitude', '51.45', 'Invalid input: expected number, received string'],
    ['stop-search.recorded', 'outcomeLinkedToObject', 'True', 'Invalid input: expected boolean, received string'],
    [
      'stop-search.recorded',
      'removalOfMoreThanOuterClothing',
      'False',
      'Invalid input: expected boolean, received string',
    ],
    ['stop-search.recorded', 'gender', 'x'.repeat(501), 'Too big: expected string to have <=500 characters'],
    ['stop-search.amended', 'outcomeLinkedToObject', 'yes', 'Invalid input: expected boolean, received string'],
    [
      'stop-search.grounds-reviewed',
      'reasonableGroundsRecorded',
      'true',
      'Invalid input: expected boolean, received string',
    ],
    ['wanted.circulated', 'team', '', 'Too small: expected string to have >=1 characters'],
    ['wanted.cancelled', 'reason', '', 'Too small: expected string to have >=1 characters'],
    ['wanted.cancelled', 'reason', 'x'.repeat(501), 'Too big: expected string to have <=500 characters'],
    ['incident.graded', 'callId', 7, 'Invalid input: expected string, received number'],
  ])('%s: payload.%s = %j is refused', (type, field, value, message) => {
    expect(rejectReason(withPayload(type, { [field]: value }))).toBe(`payload.${field}: ${message}`);
  });

  /** Every upstream reference of the contract: 1 to 128 characters. */
  const REFERENCES: [EventType, string][] = [
    ['call.presented', 'callId'],
    ['call.answered', 'callId'],
    ['incident.graded', 'incidentId'],
    ['incident.graded', 'callId'],
    ['incident.attended', 'incidentId'],
    ['wanted.circulated', 'circulationId'],
    ['wanted.circulated', 'personRef'],
    ['wanted.circulated', 'team'],
    ['wanted.arrested', 'circulationId'],
    ['dvpn.authorised', 'subjectRef'],
    ['dvpo.applied', 'caseRef'],
    ['dvpo.applied', 'subjectRef'],
    ['dvpo.breached', 'caseRef'],
    ['protection.considered', 'crimeRef'],
    ['domestic-abuse.crime-recorded', 'crimeRef'],
    ['stop-search.recorded', 'recordId'],
    ['stop-search.amended', 'recordId'],
    ['stop-search.grounds-reviewed', 'recordId'],
  ];

  it.each(REFERENCES)('%s: payload.%s of 129 characters is too long, of 128 accepted', (type, field) => {
    expect(rejectReason(withPayload(type, { [field]: 'r'.repeat(129) }))).toBe(
      `payload.${field}: Too big: expected string to have <=128 characters`,
    );
    expect(decodeEvent(withPayload(type, { [field]: 'r'.repeat(128) })).ok).toBe(true);
  });

  it('rejects an eventId of 129 characters and accepts one of 128', () => {
    expect(rejectReason({ ...exampleEvent('dvpo.applied'), eventId: 'e'.repeat(129) })).toBe(
      'eventId: Too big: expected string to have <=128 characters',
    );
    expect(decodeEvent({ ...exampleEvent('dvpo.applied'), eventId: 'e'.repeat(128) }).ok).toBe(true);
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

  it('bounds btTransferSeconds at a day, so no sum of answering times loses precision', () => {
    const call999 = exampleEvent('call.presented');
    for (const seconds of [1e306, 9223372036854774, 1e13, 86_400.5]) {
      expect(rejectReason({ ...call999, payload: { ...call999.payload, btTransferSeconds: seconds } })).toBe(
        'payload.btTransferSeconds: must be at most 86,400 seconds (a day); a longer transfer is a clock or unit fault',
      );
    }
    expect(decodeEvent({ ...call999, payload: { ...call999.payload, btTransferSeconds: 86_400 } }).ok).toBe(true);
  });

  it('refuses instants outside 1970 to 2100, and accepts the edges of the window', () => {
    const event = exampleEvent('wanted.arrested');
    for (const occurredAt of [
      '2999-01-01T00:00:00Z',
      '9999-12-31T23:59:59Z',
      '1800-06-01T12:00:00Z',
      '0000-01-01T00:00:00Z',
      '1970-01-01T00:59:59+01:00',
      '2100-01-01T00:00:00Z',
    ]) {
      expect(rejectReason({ ...event, occurredAt })).toBe(
        'occurredAt: must be from 1970-01-01T00:00:00Z to before 2100-01-01T00:00:00Z',
      );
    }
    for (const occurredAt of ['1970-01-01T00:00:00Z', '2099-12-31T23:59:59.999Z'])
      expect(decodeEvent({ ...event, occurredAt }).ok).toBe(true);
  });

  it('refuses an id holding U+FFFD, so ids that differed only in invalid bytes are not merged', () => {
    const fromBytes = (bytes: number[]) => Buffer.from([0x75, 0x2d, ...bytes]).toString('utf8');
    expect(fromBytes([0xff])).toBe(fromBytes([0xfe]));
    for (const eventId of [fromBytes([0xff]), fromBytes([0xfe])]) {
      expect(rejectReason({ ...exampleEvent('wanted.arrested'), eventId })).toBe(
        'eventId: contains U+FFFD, the mark left by bytes that were not valid UTF-8: distinct ids could read the same',
      );
    }
    expect(rejectReason(exampleEvent('wanted.arrested', { payload: { circulationId: fromBytes([0xc3]) } }))).toMatch(
      /^payload.circulationId: contains U\+FFFD/,
    );
  });

  it('refuses an event sent as JSON text, saying it was encoded twice and which event it was', () => {
    const event = exampleEvent('wanted.arrested', { eventId: 'w-9-a' });
    const result = decodeEvent(JSON.stringify(event));
    expect(result).toMatchObject({
      ok: false,
      hint: { eventId: 'w-9-a', type: 'wanted.arrested', forceId: 'avon-and-somerset' },
    });
    expect(result.ok || result.reason).toMatch(/got JSON text holding an object: the producer encoded it twice/);
    expect(decodeEvent('not json')).toMatchObject({
      ok: false,
      reason: 'event must be a JSON object (got a string that is not JSON)',
    });
  });

  it('only transfers to the secondary queue', () => {
    const event = exampleEvent('call.transferred');
    expect(rejectReason({ ...event, payload: { callId: 'c', toQueue: 'primary' } })).toContain('payload.toQueue');
  });

  it('requires an amendment to change something', () => {
    const event = exampleEvent('stop-search.amended');
    expect(rejectReason({ ...event, payload: { recordId: 's-1' } })).toContain(
      'must change at least one of searchType',
    );
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
    expectTypeOf<EventOfType<'dvpo.decided'>['payload']['outcome']>().toEqualTypeOf<
      'granted' | 'refused' | 'withdrawn'
    >();
  });
});
