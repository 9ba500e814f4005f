import { Readable } from 'node:stream';
import { POLICE_UK_COLUMNS, type PoliceUkColumn, type PoliceUkRow } from '../src/police-uk/police-uk-row.ts';

/**
 * Small synthetic data.police.uk rows and files for tests (not exported from the package).
 * The default row is a person search on a summer afternoon, written the way data.police.uk
 * writes it: local time labelled `+00:00`.
 */
export const DEFAULT_VALUES: Readonly<Record<PoliceUkColumn, string>> = {
  Type: 'Person search',
  Date: '2019-07-01T14:05:00+00:00',
  'Part of a policing operation': '',
  'Policing operation': '',
  Latitude: '51.454513',
  Longitude: '-2.587910',
  Gender: 'Male',
  'Age range': '18-24',
  'Self-defined ethnicity': 'White - English/Welsh/Scottish/Northern Irish/British',
  'Officer-defined ethnicity': 'White',
  Legislation: 'Misuse of Drugs Act 1971 (section 23)',
  'Object of search': 'Controlled drugs',
  Outcome: 'Arrest',
  'Outcome linked to object of search': 'True',
  'Removal of more than just outer clothing': 'False',
};

export type RowValues = Partial<Record<PoliceUkColumn, string>>;

export function rowOf(values: RowValues = {}, where: { line?: number; position?: number } = {}): PoliceUkRow {
  return {
    kind: 'row',
    line: where.line ?? 2,
    position: where.position ?? 1,
    values: { ...DEFAULT_VALUES, ...values },
  };
}

const cell = (value: string): string => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);

export const HEADER_LINE = POLICE_UK_COLUMNS.join(',');

export function csvLineOf(values: RowValues = {}): string {
  const row = { ...DEFAULT_VALUES, ...values };
  return POLICE_UK_COLUMNS.map((column) => cell(row[column])).join(',');
}

/** A whole file: the header, then one line per row (a string is used as a line verbatim). */
export function csvOf(rows: ReadonlyArray<RowValues | string>, newline = '\n'): string {
  return [HEADER_LINE, ...rows.map((row) => (typeof row === 'string' ? row : csvLineOf(row)))].join(newline) + newline;
}

/** A stream that delivers `text` in chunks of `chunkSize` bytes, to exercise chunk boundaries. */
export function streamOf(text: string, chunkSize = 64 * 1024): Readable {
  const bytes = Buffer.from(text, 'utf8');
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += chunkSize) chunks.push(bytes.subarray(i, i + chunkSize));
  return Readable.from(chunks, { objectMode: false });
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
