import { StopSearchRecorded } from '@rollcall/contract';
import { describe, expect, it } from 'vitest';
import { rowOf, type RowValues } from '../../test/police-uk-fixture.ts';
import type { RowRejection } from './police-uk-row.ts';
import { type StopSearchEventOfRow, toStopSearchEvent } from './to-stop-search-event.ts';

const JULY = { forceId: 'avon-and-somerset', month: '2019-07' };
const JANUARY = { forceId: 'avon-and-somerset', month: '2019-01' };

const eventOf = (values: RowValues, source = JULY, position = 1): StopSearchEventOfRow => {
  const result = toStopSearchEvent(rowOf(values, { position, line: position + 1 }), source);
  if (result.kind !== 'event') throw new Error(`expected an event, got: ${result.reason}`);
  expect(StopSearchRecorded.safeParse(result.event).success).toBe(true);
  return result;
};
const rejectionOf = (values: RowValues, source = JULY): RowRejection => {
  const result = toStopSearchEvent(rowOf(values, { line: 7, position: 6 }), source);
  if (result.kind !== 'rejection') throw new Error('expected a rejection');
  return result;
};

describe('toStopSearchEvent: the event', () => {
  it('maps a row to a valid stop-search.recorded event with the values as published', () => {
    const { event } = eventOf({});
    expect(event).toEqual({
      eventId: expect.stringMatching(/^pu-avon-and-somerset-2019-07-1-[0-9a-f]{16}$/),
      feed: 'stop-search',
      type: 'stop-search.recorded',
      forceId: 'avon-and-somerset',
      occurredAt: '2019-07-01T14:05:00+01:00',
      schemaVersion: 1,
      payload: {
        recordId: 'pu-avon-and-somerset-2019-07-1',
        searchType: 'Person search',
        legislation: 'Misuse of Drugs Act 1971 (section 23)',
        objectOfSearch: 'Controlled drugs',
        outcome: 'Arrest',
        outcomeLinkedToObject: true,
        gender: 'Male',
        ageRange: '18-24',
        selfDefinedEthnicity: 'White - English/Welsh/Scottish/Northern Irish/British',
        officerDefinedEthnicity: 'White',
        latitude: 51.454513,
        longitude: -2.58791,
        removalOfMoreThanOuterClothing: false,
        partOfPolicingOperation: null,
        policingOperation: null,
        timeIsPlaceholder: false,
      },
    });
  });

  it('reads True / False / blank booleans as true / false / null', () => {
    const payload = (value: string) =>
      eventOf({
        'Outcome linked to object of search': value,
        'Removal of more than just outer clothing': value,
        'Part of a policing operation': value,
      }).event.payload;
    expect(payload('True')).toMatchObject({
      outcomeLinkedToObject: true,
      removalOfMoreThanOuterClothing: true,
      partOfPolicingOperation: true,
    });
    expect(payload('False')).toMatchObject({
      outcomeLinkedToObject: false,
      removalOfMoreThanOuterClothing: false,
      partOfPolicingOperation: false,
    });
    expect(payload('')).toMatchObject({
      outcomeLinkedToObject: null,
      removalOfMoreThanOuterClothing: null,
      partOfPolicingOperation: null,
    });
  });

  it('makes blank person fields of a vehicle search null, and blank coordinates null', () => {
    const { event } = eventOf({
      Type: 'Vehicle search',
      Gender: '',
      'Age range': '',
      'Self-defined ethnicity': '',
      'Officer-defined ethnicity': ' ',
      Latitude: '',
      Longitude: '',
    });
    expect(event.payload).toMatchObject({
      searchType: 'Vehicle search',
      gender: null,
      ageRange: null,
      selfDefinedEthnicity: null,
      officerDefinedEthnicity: null,
      latitude: null,
      longitude: null,
    });
  });

  it('keeps an unknown ethnicity or outcome as published and reports it', () => {
    const result = eventOf({ 'Self-defined ethnicity': 'Martian', Outcome: 'Sent home' });
    expect(result.event.payload).toMatchObject({ selfDefinedEthnicity: 'Martian', outcome: 'Sent home' });
    expect(result.unrecognised).toEqual([
      { column: 'Self-defined ethnicity', value: 'Martian' },
      { column: 'Outcome', value: 'Sent home' },
    ]);
    expect(eventOf({}).unrecognised).toEqual([]);
  });
});

describe('toStopSearchEvent: times', () => {
  it('reads a summer +00:00 time as London wall clock (BST) and writes the real offset', () => {
    expect(eventOf({ Date: '2019-07-01T14:05:00+00:00' }).event.occurredAt).toBe('2019-07-01T14:05:00+01:00');
  });

  it('leaves a winter time unchanged', () => {
    expect(eventOf({ Date: '2019-01-15T14:05:00+00:00' }, JANUARY).event.occurredAt).toBe('2019-01-15T14:05:00+00:00');
  });

  it('keeps a late-evening summer search on its day and in its month', () => {
    // Read literally, 23:30+00:00 on 31 July would be 00:30 BST on 1 August: the wrong month.
    expect(eventOf({ Date: '2019-07-31T23:30:00+00:00' }).event.occurredAt).toBe('2019-07-31T23:30:00+01:00');
  });

  it('trusts a non-zero offset, which cannot be the +00:00 mistake', () => {
    expect(eventOf({ Date: '2019-07-01T14:05:00+01:00' }).event.occurredAt).toBe('2019-07-01T14:05:00+01:00');
    expect(eventOf({ Date: '2019-07-01T15:05:00+02:00' }).event.occurredAt).toBe('2019-07-01T14:05:00+01:00');
  });

  it('keeps a 00:00:00 placeholder at London midnight of its date, flagged', () => {
    const summer = eventOf({ Date: '2019-07-01T00:00:00+00:00' }).event;
    expect(summer.occurredAt).toBe('2019-07-01T00:00:00+01:00');
    expect(summer.payload.timeIsPlaceholder).toBe(true);
    const winter = eventOf({ Date: '2019-01-01T00:00:00+00:00' }, JANUARY).event;
    expect(winter.occurredAt).toBe('2019-01-01T00:00:00+00:00');
    expect(winter.payload.timeIsPlaceholder).toBe(true);
  });

  it('does not flag a time just after midnight', () => {
    expect(eventOf({ Date: '2019-07-01T00:00:01+00:00' }).event.payload.timeIsPlaceholder).toBe(false);
  });

  it('rejects a row dated outside the file month, naming the London date', () => {
    const rejection = rejectionOf({ Date: '2019-08-01T00:30:00+00:00' });
    expect(rejection).toMatchObject({ line: 7, position: 6 });
    expect(rejection.reason).toBe(
      `Date "2019-08-01T00:30:00+00:00" is on 2019-08-01 in London, outside the file's month 2019-07`,
    );
  });

  it('judges the month by the London date, not the UTC one', () => {
    // 22:30 at -01:00 is 23:30 UTC on 30 June, but 00:30 on 1 July in London: July's file.
    expect(eventOf({ Date: '2019-06-30T22:30:00-01:00' }).event.occurredAt).toBe('2019-07-01T00:30:00+01:00');
    expect(rejectionOf({ Date: '2019-06-30T21:30:00-01:00' }).reason).toContain('is on 2019-06-30 in London');
  });

  it('reads Z like +00:00, as London wall clock', () => {
    expect(eventOf({ Date: '2019-07-01T14:05:00Z' }).event.occurredAt).toBe('2019-07-01T14:05:00+01:00');
  });
});

describe('toStopSearchEvent: rejections', () => {
  it('lists every problem of a row, with its line', () => {
    const rejection = rejectionOf({
      Type: 'Horse search',
      Date: '01/07/2019 14:05',
      Latitude: 'north',
      Longitude: '200',
      'Outcome linked to object of search': 'Yes',
    });
    expect(rejection.line).toBe(7);
    expect(rejection.problems.map((problem) => problem.column)).toEqual([
      'Type',
      'Date',
      'Outcome linked to object of search',
      'Latitude',
      'Longitude',
    ]);
    expect(rejection.reason).toContain(
      'Type "Horse search" must be one of Person search, Vehicle search, Person and Vehicle search',
    );
    expect(rejection.reason).toContain('Outcome linked to object of search "Yes" must be True, False or blank');
    expect(rejection.reason).toContain('Longitude "200" is outside -180..180');
  });

  it.each(['2019-02-30T10:00:00+00:00', '2019-07-01T24:00:00+00:00', ''])('rejects the impossible date %j', (date) => {
    expect(rejectionOf({ Date: date }).problems[0]?.column).toBe('Date');
  });

  it('rejects a text longer than the contract allows', () => {
    expect(rejectionOf({ Legislation: 'x'.repeat(501) }).reason).toContain('longer than 500');
  });
});

describe('toStopSearchEvent: ids', () => {
  it('gives the same ids to the same row at the same position', () => {
    expect(eventOf({}, JULY, 3).event.eventId).toBe(eventOf({}, JULY, 3).event.eventId);
  });

  it('gives identical rows at different positions different ids: they are two searches', () => {
    const a = eventOf({}, JULY, 3).event;
    const b = eventOf({}, JULY, 4).event;
    expect(a.payload.recordId).toBe('pu-avon-and-somerset-2019-07-3');
    expect(b.payload.recordId).toBe('pu-avon-and-somerset-2019-07-4');
    expect(a.eventId).not.toBe(b.eventId);
  });

  it('keeps the record id and changes the event id when the row content changes, even by a space', () => {
    const before = eventOf({}, JULY, 3);
    const after = eventOf({ Gender: 'Male ' }, JULY, 3);
    expect(after.event.payload.recordId).toBe(before.event.payload.recordId);
    expect(after.event.eventId).not.toBe(before.event.eventId);
    expect(after.event.eventId).toBe(`pu-avon-and-somerset-2019-07-3-${after.contentHash}`);
  });

  it('names the record it is given, which a later edition may have matched to another position', () => {
    const result = toStopSearchEvent(rowOf({}, { line: 4, position: 3 }), JULY, 521);
    if (result.kind !== 'event') throw new Error('expected an event');
    expect(result).toMatchObject({
      position: 3,
      event: {
        eventId: `pu-avon-and-somerset-2019-07-521-${result.contentHash}`,
        payload: { recordId: 'pu-avon-and-somerset-2019-07-521' },
      },
    });
  });

  it('puts force and month in the ids', () => {
    const other = eventOf({}, { forceId: 'kent', month: '2019-07' }, 3).event;
    expect(other.eventId).toMatch(/^pu-kent-2019-07-3-/);
  });
});
