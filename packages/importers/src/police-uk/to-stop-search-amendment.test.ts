import { StopSearchAmended } from '@rollcall/contract';
import { describe, expect, it } from 'vitest';
import { collect, csvOf, type RowValues, streamOf } from '../../test/police-uk-fixture.ts';
import type { PoliceUkRow } from './police-uk-row.ts';
import { readPoliceUkCsv } from './read-police-uk-csv.ts';
import { toStopSearchAmendment } from './to-stop-search-amendment.ts';
import { toStopSearchEvent } from './to-stop-search-event.ts';

const JULY = { forceId: 'avon-and-somerset', month: '2019-07' };
const readRows = async (rows: ReadonlyArray<RowValues | string>) =>
  (await collect(readPoliceUkCsv(streamOf(csvOf(rows))))) as PoliceUkRow[];

const ORIGINAL: RowValues[] = [
  { Date: '2019-07-01T10:00:00+00:00' },
  { Date: '2019-07-02T10:00:00+00:00', Outcome: 'A no further action disposal' },
];

describe('toStopSearchAmendment', () => {
  it('carries every field of the edited row and its time, for the record it holds, with its own event id', async () => {
    const rows = await readRows(
      ORIGINAL.map((row, i) =>
        i === 1 ? { ...row, Outcome: 'Arrest', Gender: '', Date: '2019-07-20T10:00:00+00:00' } : row,
      ),
    );
    const edited = rows[1] as PoliceUkRow;
    // The row is at position 2 of the new edition but holds record 7 (the matcher's choice).
    const amendment = toStopSearchAmendment(edited, JULY, 7, 2);
    const recorded = toStopSearchEvent(edited, JULY, 7);
    if (amendment.kind !== 'amendment' || recorded.kind !== 'event') throw new Error('expected both to map');

    expect(StopSearchAmended.safeParse(amendment.event).success).toBe(true);
    expect(amendment.event.type).toBe('stop-search.amended');
    expect(amendment.event.eventId).toBe(`pu-avon-and-somerset-2019-07-7-e000002-${amendment.contentHash}`);
    expect(amendment.event.eventId).not.toBe(recorded.event.eventId);
    // London wall-clock time, as the recorded event's occurredAt would be.
    expect(amendment.event.payload).toEqual({ ...recorded.event.payload, searchedAt: '2019-07-20T10:00:00+01:00' });
    expect(amendment.event.payload).toMatchObject({
      recordId: 'pu-avon-and-somerset-2019-07-7',
      outcome: 'Arrest',
      gender: null,
    });
    expect(amendment.event.occurredAt).toBe('2019-07-01T00:00:02Z');
  });

  it('orders editions by revision, whatever search time each edition gives', async () => {
    // Edition 2 moved the search later in the month; edition 3 moved it back earlier.
    const later = await readRows(
      ORIGINAL.map((row, i) => (i === 1 ? { ...row, Date: '2019-07-20T10:00:00+01:00' } : row)),
    );
    const earlier = await readRows(
      ORIGINAL.map((row, i) => (i === 1 ? { ...row, Date: '2019-07-01T09:00:00+01:00' } : row)),
    );
    const second = toStopSearchAmendment(later[1] as PoliceUkRow, JULY, 2, 2);
    const third = toStopSearchAmendment(earlier[1] as PoliceUkRow, JULY, 2, 3);
    if (second.kind !== 'amendment' || third.kind !== 'amendment') throw new Error('expected both to map');
    expect(Date.parse(third.event.occurredAt)).toBeGreaterThan(Date.parse(second.event.occurredAt));
    expect(third.event.occurredAt.slice(0, 7)).toBe('2019-07');
    expect(third.event.payload.searchedAt).toBe('2019-07-01T09:00:00+01:00');
  });

  it('rejects an edited row that no longer maps, with its line, and a revision out of range', async () => {
    const rows = await readRows([{ Date: '2019-08-02T10:00:00+00:00' }]);
    expect(toStopSearchAmendment(rows[0] as PoliceUkRow, JULY, 1, 2)).toMatchObject({
      kind: 'rejection',
      line: 2,
      position: 1,
    });
    expect(() => toStopSearchAmendment(rows[0] as PoliceUkRow, JULY, 1, 1_000_000)).toThrow(RangeError);
  });
});
