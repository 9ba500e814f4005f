import { readFile } from 'node:fs/promises';

import { describe, expect, it } from 'vitest';
import { EditionMatcher, type PreviousEdition, type RowMatch } from './edition-matcher.ts';
import { collect, streamOf } from '../../test/police-uk-fixture.ts';
import { readPoliceUkCsv } from './read-police-uk-csv.ts';
import { policeUkSampleFile } from './sample-files.ts';
import { contentHashOf } from './row-content-hash.ts';

/** A previous edition of one-letter "hashes", position n holding record n unless told. */
const edition = (hashes: string, rowRecords?: number[], records?: number): PreviousEdition => {
  const rows = [...hashes];
  const held = rowRecords ?? rows.map((_, i) => i + 1);
  return { rowHashes: rows, rowRecords: held, records: records ?? Math.max(0, ...held) };
};

/** Feeds `current` row by row: what `see` settled at once, and the finished match. */
function match(previous: PreviousEdition | undefined, current: string) {
  const matcher = new EditionMatcher(previous);
  const settledAtOnce = [...current].map((hash, i) => matcher.see(i + 1, hash));
  return { settledAtOnce, result: matcher.finish() };
}

const recordsOf = (rows: readonly RowMatch[]) => rows.map((row) => row.record);
const kindsOf = (rows: readonly RowMatch[]) => rows.map((row) => row.kind[0]).join('');

describe('EditionMatcher', () => {
  it('numbers the records of a first edition by position, settling every row as it is read', () => {
    const { settledAtOnce, result } = match(undefined, 'ABA');
    expect(settledAtOnce.every((row) => row !== undefined)).toBe(true);
    expect(result).toEqual({
      unchanged: false,
      rows: [
        { kind: 'new', record: 1 },
        { kind: 'new', record: 2 },
        { kind: 'new', record: 3 },
      ],
      changedPositions: [],
      addedPositions: [1, 2, 3],
      removedPositions: [],
      removedRecords: [],
      records: 3,
    });
  });

  it('finds nothing when the same rows come again, in the same order or another', () => {
    expect(match(edition('ABCD'), 'ABCD').result).toMatchObject({
      unchanged: true,
      rows: [1, 2, 3, 4].map((n, i) => ({ kind: 'same', record: n, previousPosition: i + 1 })),
    });
    const reordered = match(edition('ABCD'), 'DBAC').result;
    expect(reordered.unchanged).toBe(true);
    expect(recordsOf(reordered.rows)).toEqual([4, 2, 1, 3]);
  });

  it('gives a row inserted mid-file a new record and leaves every other row its own', () => {
    // The rows of the 1st, 5th, 10th and 20th; the new edition adds one of the 3rd in second place.
    const { settledAtOnce, result } = match(edition('ABCD'), 'AXBCD');
    expect(settledAtOnce[1]).toBeUndefined();
    expect(result).toMatchObject({
      unchanged: false,
      changedPositions: [],
      addedPositions: [2],
      removedPositions: [],
      records: 5,
    });
    expect(recordsOf(result.rows)).toEqual([1, 5, 2, 3, 4]);
  });

  it('lists a row deleted mid-file as removed, with its record, and no other row as changed', () => {
    const { result } = match(edition('ABCD', [1, 7, 3, 4], 7), 'ACD');
    expect(result).toMatchObject({
      unchanged: false,
      changedPositions: [],
      addedPositions: [],
      removedPositions: [2],
      removedRecords: [7],
      records: 7,
    });
    expect(recordsOf(result.rows)).toEqual([1, 3, 4]);
  });

  it('gives an edited row the record of the row it replaced', () => {
    const { result } = match(edition('ABCD'), 'AbCD');
    expect(result.rows[1]).toEqual({ kind: 'changed', record: 2, previousPosition: 2 });
    expect(result).toMatchObject({ changedPositions: [2], addedPositions: [], removedPositions: [], records: 4 });
  });

  it('tells an insertion from an edit in the same edition, by the same rows around them', () => {
    // X inserted after A; D edited to d. Only d stands where a left-over row (D) stood.
    const { result } = match(edition('ABCDE'), 'AXBCdE');
    expect(kindsOf(result.rows)).toBe('snsscs');
    expect(result).toMatchObject({ changedPositions: [5], addedPositions: [2], removedPositions: [] });
    expect(result.rows[4]).toEqual({ kind: 'changed', record: 4, previousPosition: 4 });
    expect(result.rows[1]).toEqual({ kind: 'new', record: 6 });
  });

  it('pairs edits in file order within a gap, and leaves the surplus added or removed', () => {
    expect(match(edition('ABCDE'), 'AbcE').result).toMatchObject({
      changedPositions: [2, 3],
      addedPositions: [],
      removedPositions: [4],
      removedRecords: [4],
    });
    expect(match(edition('AE'), 'AbcE').result).toMatchObject({
      changedPositions: [],
      addedPositions: [2, 3],
      removedPositions: [],
    });
  });

  it('still finds an edit when rows also moved around it', () => {
    // D moved up and E was edited: the gap e stands in runs from D (4) to B (2), backwards, so it
    // is taken to run to the end of the previous edition, and E is found in it.
    const { result } = match(edition('ABCDE'), 'ADeBC');
    expect(result.rows[2]).toEqual({ kind: 'changed', record: 5, previousPosition: 5 });
    expect(result).toMatchObject({ changedPositions: [3], addedPositions: [], removedPositions: [] });
    // Outside its gap a left-over row is not taken: e between C and D, E was after D.
    expect(match(edition('ABCDE'), 'ABCeD').result).toMatchObject({
      changedPositions: [],
      addedPositions: [4],
      removedPositions: [5],
    });
  });

  it('keeps identical rows distinct: each copy is a search, matched copy for copy', () => {
    const more = match(edition('AAB'), 'ABAA').result;
    expect(recordsOf(more.rows)).toEqual([1, 3, 2, 4]);
    expect(more).toMatchObject({ addedPositions: [4], removedPositions: [] });
    const fewer = match(edition('AAB'), 'AB').result;
    expect(fewer).toMatchObject({
      changedPositions: [],
      addedPositions: [],
      removedPositions: [2],
      removedRecords: [2],
    });
  });

  it('settles rows added after every previous row was matched as they are read', () => {
    const { settledAtOnce, result } = match(edition('AB'), 'ABXY');
    expect(settledAtOnce).toEqual([
      { kind: 'same', record: 1, previousPosition: 1 },
      { kind: 'same', record: 2, previousPosition: 2 },
      { kind: 'new', record: 3 },
      { kind: 'new', record: 4 },
    ]);
    expect(result).toMatchObject({ addedPositions: [3, 4], records: 4 });
  });

  it('numbers new records after withdrawn ones, and matches nothing to a record no position holds', () => {
    // Records 1..5 exist; the previous edition held 2 and 4 only (1, 3 and 5 were withdrawn).
    const { result } = match(edition('AB', [2, 4], 5), 'ABC');
    expect(recordsOf(result.rows)).toEqual([2, 4, 6]);
    expect(match(edition('', [], 5), '').result).toMatchObject({ unchanged: true, records: 5 });
  });

  it('matches edits of the real 2019-01 file, which has 34 rows that repeat another', async () => {
    const text = await readFile(policeUkSampleFile('2019-01'), 'utf8');
    const [header, ...lines] = text.trimEnd().split('\n') as [string, ...string[]];
    const hashesOf = async (rows: readonly string[]) =>
      (await collect(readPoliceUkCsv(streamOf([header, ...rows, ''].join('\n'))))).map(contentHashOf);
    const previous = await hashesOf(lines);
    expect(previous.length - new Set(previous).size).toBe(34);
    const first: PreviousEdition = {
      rowHashes: previous,
      rowRecords: previous.map((_, i) => i + 1),
      records: previous.length,
    };
    const matchOf = async (rows: readonly string[]) => {
      const matcher = new EditionMatcher(first);
      (await hashesOf(rows)).forEach((hash, i) => matcher.see(i + 1, hash));
      return matcher.finish();
    };

    const deleted = await matchOf(lines.filter((_, i) => i !== 99));
    expect(deleted).toMatchObject({
      changedPositions: [],
      addedPositions: [],
      removedPositions: [100],
      removedRecords: [100],
    });
    expect(recordsOf(deleted.rows)).toEqual([
      ...Array.from({ length: 99 }, (_, i) => i + 1),
      ...Array.from({ length: 419 }, (_, i) => i + 101),
    ]);

    const inserted = await matchOf([...lines.slice(0, 49), lines[2] as string, ...lines.slice(49)]);
    expect(inserted).toMatchObject({ changedPositions: [], addedPositions: [50], removedPositions: [], records: 520 });

    const edited = await matchOf(
      lines.map((line, i) => (i === 5 ? line.replace('A no further action disposal', 'Arrest') : line)),
    );
    expect(edited).toMatchObject({ changedPositions: [6], addedPositions: [], removedPositions: [] });
    expect(edited.rows[5]).toEqual({ kind: 'changed', record: 6, previousPosition: 6 });

    expect((await matchOf([...lines].reverse())).unchanged).toBe(true);
    expect(
      (await matchOf(lines.map((line, i) => (i === 10 ? 'Person search,"unclosed' : line)))).changedPositions,
    ).toEqual([11]);
  });

  it('refuses rows out of file order and a previous edition that does not add up', () => {
    const matcher = new EditionMatcher(edition('A'));
    matcher.see(1, 'A');
    expect(() => matcher.see(3, 'C')).toThrow(RangeError);
    expect(() => new EditionMatcher({ rowHashes: ['A', 'B'], rowRecords: [1], records: 2 })).toThrow(RangeError);
    expect(() => new EditionMatcher({ rowHashes: ['A', 'B'], rowRecords: [1, 1], records: 2 })).toThrow(/held twice/);
    expect(() => new EditionMatcher({ rowHashes: ['A'], rowRecords: [3], records: 2 })).toThrow(/not one of 1\.\.2/);
  });
});
