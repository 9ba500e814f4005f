import { pipeline, type Readable, Transform, type TransformCallback } from 'node:stream';
import { parse, type CsvError, type Info } from 'csv-parse';
import {
  POLICE_UK_COLUMNS,
  type PoliceUkColumn,
  type PoliceUkRow,
  type RowRejection,
  rowRejection,
} from './police-uk-row.ts';

/**
 * The file's header is not the 15 data.police.uk columns, so no row can be read with confidence.
 * This is the one problem that stops a file: it is about the file, not a row.
 */
export class PoliceUkHeaderError extends Error {
  override readonly name = 'PoliceUkHeaderError';
  constructor(
    message: string,
    readonly missing: readonly string[],
    readonly unexpected: readonly string[],
    readonly duplicated: readonly string[],
  ) {
    super(message);
  }
}

export type PoliceUkCsvItem = PoliceUkRow | RowRejection;

const MAX_QUOTED = 200; // characters of an unparseable record quoted in its rejection
const CR = 0x0d;
const LF = 0x0a;

/**
 * CRLF → LF, byte-wise (a UTF-8 character never contains either byte). data.police.uk writes LF,
 * but a file re-saved on Windows has CRLF; csv-parse then counts a CRLF inside a quoted cell as two
 * lines, which would shift every later line number. Normalising also makes a CRLF re-save of a
 * file hash the same as the original.
 */
function crlfToLf(): Transform {
  let pendingCr = false;
  return new Transform({
    transform(chunk: Buffer | string, _encoding: BufferEncoding, callback: TransformCallback) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      const out = Buffer.allocUnsafe(bytes.length + 1);
      let length = 0;
      if (pendingCr && bytes[0] !== LF) out[length++] = CR;
      pendingCr = false;
      for (let i = 0; i < bytes.length; i++) {
        const byte = bytes[i] as number;
        if (byte === CR) {
          if (i === bytes.length - 1) pendingCr = true;
          else if (bytes[i + 1] !== LF) out[length++] = CR;
        } else {
          out[length++] = byte;
        }
      }
      callback(null, out.subarray(0, length));
    },
    flush(callback: TransformCallback) {
      callback(null, pendingCr ? Buffer.from([CR]) : undefined);
    },
  });
}

const countNewlines = (text: string): number => {
  let count = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) count++;
  return count;
};

/** Where each expected column sits in the file's header, or the header's problems. */
function readHeader(cells: readonly string[], line: number): Map<PoliceUkColumn, number> {
  const names = cells.map((cell) => cell.trim());
  const expected = new Set<string>(POLICE_UK_COLUMNS);
  const missing = POLICE_UK_COLUMNS.filter((column) => !names.includes(column));
  const unexpected = names.filter((name) => !expected.has(name));
  const duplicated = [...new Set(names.filter((name, i) => names.indexOf(name) !== i))];
  if (missing.length > 0 || unexpected.length > 0 || duplicated.length > 0) {
    const parts = [
      missing.length > 0 ? `missing ${missing.map((c) => JSON.stringify(c)).join(', ')}` : null,
      unexpected.length > 0 ? `unexpected ${unexpected.map((c) => JSON.stringify(c)).join(', ')}` : null,
      duplicated.length > 0 ? `duplicated ${duplicated.map((c) => JSON.stringify(c)).join(', ')}` : null,
    ].filter((part) => part !== null);
    throw new PoliceUkHeaderError(
      `line ${line}: not a data.police.uk stop-and-search header (${POLICE_UK_COLUMNS.length} columns, ` +
        `"Type,Date,Part of a policing operation,..."): ${parts.join('; ')}`,
      missing,
      unexpected,
      duplicated,
    );
  }
  // Columns are taken by name, not place: a file whose columns were reordered reads the same.
  return new Map(POLICE_UK_COLUMNS.map((column) => [column, names.indexOf(column)]));
}

interface Skipped {
  readonly line: number;
  readonly message: string;
  readonly raw: string;
}

/**
 * Streams a data.police.uk stop-and-search CSV: checks the header (throws `PoliceUkHeaderError`),
 * then yields every data row with its line number and position, or a rejection for a row that
 * cannot be read (wrong number of cells, broken quoting). A bad row never stops the rest. The file
 * is never held in memory: large forces publish tens of thousands of rows a month.
 *
 * Blank lines are skipped and take no position. Rejected rows do take one, so the rows after them
 * keep their positions (and record ids) whether or not a later edition fixes the bad row.
 */
export async function* readPoliceUkCsv(input: Readable): AsyncGenerator<PoliceUkCsvItem, void, undefined> {
  const skipped: Skipped[] = [];
  const parser = parse({
    bom: true,
    info: true,
    raw: true,
    skip_empty_lines: true,
    // Cell counts are checked here, so a short or long row becomes a rejection with its line.
    relax_column_count: true,
    // A stray `"` inside an unquoted cell (`5'10" male`) is text, not broken CSV.
    relax_quotes: true,
    // Any other parse error skips just that record; it is reported below as a rejection.
    skip_records_with_error: true,
    on_skip: (error: CsvError | undefined, raw: string | undefined) => {
      if (!error) return;
      // csv-parse reports the line where it gave up (for an unclosed quote, the end of the file);
      // the record started as many lines earlier as its raw text has line breaks.
      const text = raw ?? '';
      const lines = typeof error.lines === 'number' ? error.lines : 0;
      skipped.push({
        line: Math.max(1, lines - countNewlines(text.replace(/\n$/, ''))),
        message: error.message,
        raw: text,
      });
    },
  });
  // Errors reading the input destroy the parser, which makes the loop below throw them.
  pipeline(input, crlfToLf(), parser, () => {});

  let columnIndex: Map<PoliceUkColumn, number> | null = null;
  let position = 0;

  const skippedBefore = function* (line: number): Generator<RowRejection> {
    while (skipped.length > 0 && (skipped[0] as Skipped).line < line) {
      const skip = skipped.shift() as Skipped;
      if (columnIndex === null) {
        throw new PoliceUkHeaderError(`line ${skip.line}: the header could not be read: ${skip.message}`, [], [], []);
      }
      position += 1;
      const value = skip.raw.length > MAX_QUOTED ? `${skip.raw.slice(0, MAX_QUOTED)}...` : skip.raw;
      yield rowRejection(
        { line: skip.line, position },
        [{ column: null, value, reason: `is not valid CSV: ${skip.message}` }],
        [],
      );
    }
  };

  for await (const item of parser as AsyncIterable<{ record: string[]; info: Info }>) {
    const { record, info } = item;
    const line = info.lines - record.reduce((sum, cell) => sum + countNewlines(cell), 0);
    yield* skippedBefore(line);

    if (columnIndex === null) {
      columnIndex = readHeader(record, line);
      continue;
    }

    position += 1;
    if (record.length !== POLICE_UK_COLUMNS.length) {
      yield rowRejection(
        { line, position },
        [{ column: null, value: null, reason: `has ${record.length} cells, expected ${POLICE_UK_COLUMNS.length}` }],
        record,
      );
      continue;
    }
    const index = columnIndex;
    const values = Object.fromEntries(
      POLICE_UK_COLUMNS.map((column) => [column, record[index.get(column) as number] ?? '']),
    ) as Record<PoliceUkColumn, string>;
    yield { kind: 'row', line, position, values };
  }
  yield* skippedBefore(Number.POSITIVE_INFINITY);

  if (columnIndex === null) {
    throw new PoliceUkHeaderError(
      `the file is empty: expected the data.police.uk header "Type,Date,Part of a policing operation,..."`,
      [...POLICE_UK_COLUMNS],
      [],
      [],
    );
  }
}
