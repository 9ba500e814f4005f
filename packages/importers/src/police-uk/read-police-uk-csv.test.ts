import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { collect, csvLineOf, csvOf, HEADER_LINE, streamOf } from '../../test/police-uk-fixture.ts';
import { POLICE_UK_COLUMNS, type PoliceUkRow, type RowRejection } from './police-uk-row.ts';
import { PoliceUkHeaderError, readPoliceUkCsv } from './read-police-uk-csv.ts';

const read = (text: string, chunkSize?: number) => collect(readPoliceUkCsv(streamOf(text, chunkSize)));
const headerError = async (text: string): Promise<PoliceUkHeaderError> => {
  try {
    await read(text);
  } catch (error) {
    if (error instanceof PoliceUkHeaderError) return error;
    throw error;
  }
  throw new Error('expected a PoliceUkHeaderError');
};

describe('readPoliceUkCsv: header', () => {
  it('names missing and unexpected columns', async () => {
    const header = HEADER_LINE.replace('Age range', 'Age').replace(',Removal of more than just outer clothing', '');
    const error = await headerError(`${header}\n`);
    expect(error.missing).toEqual(['Age range', 'Removal of more than just outer clothing']);
    expect(error.unexpected).toEqual(['Age']);
    expect(error.message).toContain('line 1');
    expect(error.message).toContain(
      'missing "Age range", "Removal of more than just outer clothing"; unexpected "Age"',
    );
  });

  it('names a duplicated column', async () => {
    const error = await headerError(`${HEADER_LINE},Gender\n`);
    expect(error.duplicated).toEqual(['Gender']);
  });

  it('rejects an empty file', async () => {
    const error = await headerError('');
    expect(error.message).toContain('empty');
  });

  it('accepts a byte-order mark and reordered columns, reading cells by name', async () => {
    const columns = [...POLICE_UK_COLUMNS].reverse();
    const line = columns
      .map((column) => (column === 'Gender' ? 'Female' : column === 'Type' ? 'Vehicle search' : ''))
      .join(',');
    const [row] = (await read(`\uFEFF${columns.join(',')}\n${line}\n`)) as PoliceUkRow[];
    expect(row?.values.Gender).toBe('Female');
    expect(row?.values.Type).toBe('Vehicle search');
  });
});

describe('readPoliceUkCsv: rows', () => {
  it('yields rows with their line number and position, keeping identical rows', async () => {
    const items = await read(csvOf([{ Gender: 'Female' }, {}, {}]));
    expect(items.map((item) => [item.kind, item.line, item.position])).toEqual([
      ['row', 2, 1],
      ['row', 3, 2],
      ['row', 4, 3],
    ]);
    expect((items[0] as PoliceUkRow).values.Gender).toBe('Female');
    expect((items[1] as PoliceUkRow).values).toEqual((items[2] as PoliceUkRow).values);
  });

  it('keeps raw cells untrimmed', async () => {
    const [row] = (await read(csvOf([{ Gender: ' Male ' }]))) as PoliceUkRow[];
    expect(row?.values.Gender).toBe(' Male ');
  });

  it('rejects a row with the wrong number of cells, with its line, and reads on', async () => {
    const items = await read(csvOf([{}, `${csvLineOf()},extra`, 'Person search,2019-07-01T10:00:00+00:00', {}]));
    expect(items.map((item) => [item.kind, item.line, item.position])).toEqual([
      ['row', 2, 1],
      ['rejection', 3, 2],
      ['rejection', 4, 3],
      ['row', 5, 4],
    ]);
    expect((items[1] as RowRejection).reason).toBe('has 16 cells, expected 15');
    expect((items[2] as RowRejection).reason).toBe('has 2 cells, expected 15');
    expect((items[2] as RowRejection).raw).toEqual(['Person search', '2019-07-01T10:00:00+00:00']);
  });

  it('skips blank lines without giving them a position, and counts their lines', async () => {
    const items = await read(`${HEADER_LINE}\n\n${csvLineOf()}\n\n\n${csvLineOf()}\n`);
    expect(items.map((item) => [item.line, item.position])).toEqual([
      [3, 1],
      [6, 2],
    ]);
  });

  it('reads quoted cells with commas and newlines, and numbers lines from where a row starts', async () => {
    const items = await read(csvOf([{ 'Policing operation': 'Op "Tidy", phase 2\nnight' }, {}]));
    expect(items.map((item) => [item.kind, item.line])).toEqual([
      ['row', 2],
      ['row', 4],
    ]);
    expect((items[0] as PoliceUkRow).values['Policing operation']).toBe('Op "Tidy", phase 2\nnight');
  });

  it('reads CRLF files the same, line numbers included', async () => {
    const rows = [{ 'Policing operation': 'two\nlines' }, {}];
    const lf = await read(csvOf(rows));
    const crlf = await read(csvOf(rows, '\r\n').replace('two\nlines', 'two\r\nlines'));
    expect(crlf).toEqual(lf);
  });

  it('is not confused by chunk boundaries (one byte at a time)', async () => {
    const text = csvOf([{ Gender: 'Fémale' }, { 'Policing operation': 'a\r\nb' }], '\r\n');
    expect(await read(text, 1)).toEqual(await read(text));
  });

  it('reads a stray quote inside an unquoted cell as text', async () => {
    const [row] = (await read(csvOf([csvLineOf().replace('Controlled drugs', 'Controlled "drugs')]))) as PoliceUkRow[];
    expect(row?.values['Object of search']).toBe('Controlled "drugs');
  });

  it('rejects a row whose quoting is broken, with its line, and keeps the rows before it', async () => {
    const items = await read(csvOf([{}, csvLineOf().replace('Person search', '"Person search'), {}]));
    // An unclosed quote swallows the rest of the file: one rejection, on the line the quote opened.
    expect(items.map((item) => [item.kind, item.line, item.position])).toEqual([
      ['row', 2, 1],
      ['rejection', 3, 2],
    ]);
    expect((items[1] as RowRejection).reason).toContain('is not valid CSV: Quote Not Closed');
  });
});

describe('readPoliceUkCsv: streaming', () => {
  it('yields a row before the input has ended (the file is never loaded whole)', async () => {
    const input = new PassThrough();
    // csv-parse holds back the last complete line of what it has seen until more input or the
    // end arrives (it cannot yet tell a line end from the start of a longer delimiter), so two
    // rows are written to get the first one out.
    input.write(`${HEADER_LINE}\n${csvLineOf()}\n${csvLineOf({ Gender: 'Female' })}\n`);
    const rows = readPoliceUkCsv(input);
    const first = await Promise.race([
      rows.next(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no row before the end of input')), 2_000)),
    ]);
    expect(first.value).toMatchObject({ kind: 'row', line: 2, position: 1 });
    input.end(`${csvLineOf()}\n`);
    expect(await collect(rows)).toMatchObject([
      { kind: 'row', line: 3, position: 2, values: { Gender: 'Female' } },
      { kind: 'row', line: 4, position: 3 },
    ]);
  });

  it('passes on an error of the input stream', async () => {
    const input = new PassThrough();
    input.write(`${HEADER_LINE}\n`);
    setTimeout(() => input.destroy(new Error('disk on fire')), 10);
    await expect(collect(readPoliceUkCsv(input))).rejects.toThrow('disk on fire');
  });
});
