import { StopSearchAmended } from '@rollcall/events';
import { describe, expect, it } from 'vitest';
import { compareMonths, contentHashOf } from './compare-months.ts';
import { collect, csvOf, type RowValues, streamOf } from './police-uk-fixture.ts';
import type { PoliceUkRow } from './police-uk-row.ts';
import { readPoliceUkCsv } from './read-police-uk-csv.ts';
import { toStopSearchAmendment } from './to-stop-search-amendment.ts';
import { toStopSearchEvent } from './to-stop-search-event.ts';

const JULY = { forceId: 'avon-and-somerset', month: '2019-07' };
const readRows = (rows: ReadonlyArray<RowValues | string>) => collect(readPoliceUkCsv(streamOf(csvOf(rows))));

const ORIGINAL: RowValues[] = [
  { Date: '2019-07-01T10:00:00+00:00' },
  { Date: '2019-07-02T10:00:00+00:00', Outcome: 'A no further action disposal' },
  { Date: '2019-07-03T10:00:00+00:00' },
  { Date: '2019-07-03T10:00:00+00:00' },
];

describe('compareMonths', () => {
  it('finds nothing when the same file comes again', async () => {
    const previous = (await readRows(ORIGINAL)).map(contentHashOf);
    expect(compareMonths(previous, await readRows(ORIGINAL))).toEqual({
      unchanged: true,
      changedPositions: [],
      addedPositions: [],
      removedPositions: [],
    });
  });

  it('finds a changed row', async () => {
    const previous = (await readRows(ORIGINAL)).map(contentHashOf);
    const revised = ORIGINAL.map((row, i) => (i === 1 ? { ...row, Outcome: 'Arrest' } : row));
    expect(compareMonths(previous, await readRows(revised))).toEqual({
      unchanged: false,
      changedPositions: [2],
      addedPositions: [],
      removedPositions: [],
    });
  });

  it('finds an added row', async () => {
    const previous = (await readRows(ORIGINAL)).map(contentHashOf);
    const revision = compareMonths(previous, await readRows([...ORIGINAL, { Date: '2019-07-30T10:00:00+00:00' }]));
    expect(revision).toEqual({ unchanged: false, changedPositions: [], addedPositions: [5], removedPositions: [] });
  });

  it('finds a removed row', async () => {
    const previous = (await readRows(ORIGINAL)).map(contentHashOf);
    const revision = compareMonths(previous, await readRows(ORIGINAL.slice(0, 3)));
    expect(revision).toEqual({ unchanged: false, changedPositions: [], addedPositions: [], removedPositions: [4] });
  });

  it('compares rejected rows by their cells too', async () => {
    const bad = 'Person search,2019-07-05T10:00:00+00:00';
    const previous = (await readRows([...ORIGINAL, bad])).map(contentHashOf);
    expect(compareMonths(previous, await readRows([...ORIGINAL, bad])).unchanged).toBe(true);
    expect(compareMonths(previous, await readRows([...ORIGINAL, `${bad},x`])).changedPositions).toEqual([5]);
  });

  it('uses the same hash as the event id', async () => {
    const [row] = (await readRows(ORIGINAL)) as PoliceUkRow[];
    const result = toStopSearchEvent(row as PoliceUkRow, JULY);
    expect(result.kind === 'event' && result.event.eventId).toBe(`pu-avon-and-somerset-2019-07-1-${contentHashOf(row as PoliceUkRow)}`);
  });
});

describe('toStopSearchAmendment', () => {
  it('carries every field of the changed row under the same recordId, with its own event id', async () => {
    const revised = ORIGINAL.map((row, i) => (i === 1 ? { ...row, Outcome: 'Arrest', Gender: '' } : row));
    const rows = (await readRows(revised)) as PoliceUkRow[];
    const changed = rows[1] as PoliceUkRow;
    const amendment = toStopSearchAmendment(changed, JULY, 2);
    const recorded = toStopSearchEvent(changed, JULY);
    if (amendment.kind !== 'amendment' || recorded.kind !== 'event') throw new Error('expected both to map');

    expect(StopSearchAmended.safeParse(amendment.event).success).toBe(true);
    expect(amendment.event.type).toBe('stop-search.amended');
    expect(amendment.event.eventId).toBe(`pu-avon-and-somerset-2019-07-2-a000002-${amendment.contentHash}`);
    expect(amendment.event.eventId).not.toBe(recorded.event.eventId);
    expect(amendment.event.payload).toEqual(recorded.event.payload);
    expect(amendment.event.payload).toMatchObject({ recordId: 'pu-avon-and-somerset-2019-07-2', outcome: 'Arrest', gender: null });
    expect(amendment.event.occurredAt).toBe('2019-07-01T00:00:02Z');
  });

  it('orders editions by revision, whatever search time each edition gives', async () => {
    // Edition 2 moved the search later in the month; edition 3 moved it back earlier.
    const later = (await readRows(ORIGINAL.map((row, i) => (i === 1 ? { ...row, Date: '2019-07-20T10:00:00+01:00' } : row)))) as PoliceUkRow[];
    const earlier = (await readRows(ORIGINAL.map((row, i) => (i === 1 ? { ...row, Date: '2019-07-01T09:00:00+01:00' } : row)))) as PoliceUkRow[];
    const second = toStopSearchAmendment(later[1] as PoliceUkRow, JULY, 2);
    const third = toStopSearchAmendment(earlier[1] as PoliceUkRow, JULY, 3);
    if (second.kind !== 'amendment' || third.kind !== 'amendment') throw new Error('expected both to map');
    expect(Date.parse(third.event.occurredAt)).toBeGreaterThan(Date.parse(second.event.occurredAt));
    expect(third.event.occurredAt.slice(0, 7)).toBe('2019-07');
  });

  it('rejects a changed row that no longer maps, with its line', async () => {
    const rows = (await readRows([{ Date: '2019-08-02T10:00:00+00:00' }])) as PoliceUkRow[];
    expect(toStopSearchAmendment(rows[0] as PoliceUkRow, JULY, 2)).toMatchObject({ kind: 'rejection', line: 2, position: 1 });
  });
});
