import { parse } from 'csv-parse/sync';
import { defined } from '@rollcall/contract';
import type { PublishedFigure } from '@rollcall/db';
import type { ForceNameMatcher } from './force-name-matcher.ts';
import {
  normaliseHeader,
  parsePublishedNumber,
  PublishedFileError,
  type PublishedFileReading,
  type RejectedLine,
} from './published-file.ts';
import { monthSpan, parsePublishedMonth } from './published-period.ts';

export const POLICE_UK_999_SOURCE = 'police-uk-999';

/**
 * The columns of police.uk's monthly 999 answer-time table, by what they mean, with the header
 * spellings seen across editions (docs/feeds.md, "Published figures"). Order does not matter.
 */
const COLUMNS = {
  force: /^(police )?force( name)?$/,
  month: /^(month|period|date|month of call)$/,
  presented: /^(number of )?(999 )?calls? (presented|received|offered)$|^total (999 )?calls$/,
  answered: /^(number of )?(999 )?calls? answered$/,
  under10s: /(under|within|less than|<) ?10 ?s(ec(ond)?s?)?\b/,
  from10to60s: /\b10( ?s(ec(ond)?s?)?)? (to |and )?(under |less than )?60\b/,
  over60s: /(\b60 ?s(ec(ond)?s?)? (or|and) (more|over|above)|over 60|> ?60|\b60 ?s?\+)/,
  mean: /(mean|average) (answer|answering) time/,
} as const;
type Column = keyof typeof COLUMNS;
const REQUIRED: readonly Column[] = ['force', 'month', 'under10s', 'from10to60s', 'over60s'];

function locateColumns(header: readonly string[]): Partial<Record<Column, number>> {
  const found: Partial<Record<Column, number>> = {};
  header.forEach((cell, index) => {
    const name = normaliseHeader(cell);
    for (const column of Object.keys(COLUMNS) as Column[]) {
      if (found[column] === undefined && COLUMNS[column].test(name)) {
        found[column] = index;
        return;
      }
    }
  });
  return found;
}

/**
 * Reads police.uk's 999 table: one row per force and month, answered calls in three bands (as
 * counts, or as percentages of the calls answered — of the calls presented when no answered
 * column is printed), and the mean answering time. Each row gives the figures of
 * calls.999.answered_within_10s, the three band measures and calls.999.mean_answer_seconds.
 * A row of a force not in the reference data (Police Scotland, PSNI, British Transport Police),
 * with text in a number column or an unreadable month is rejected with its reason; a missing
 * column or a force-month given twice rejects the file.
 */
export function readPoliceUk999(text: string, matchForce: ForceNameMatcher): PublishedFileReading {
  const [header, ...body] = parse(text, {
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    trim: true,
  }) as string[][];
  if (header === undefined)
    throw new PublishedFileError('the file is empty: expected a header line and one line per force and month');
  const columns = locateColumns(header);
  const missing = REQUIRED.filter((column) => columns[column] === undefined);
  if (columns.presented === undefined && columns.answered === undefined) missing.push('presented');
  if (missing.length > 0) {
    throw new PublishedFileError(
      `not a police.uk 999 table: no column for ${missing.join(', ')}. Expected columns: force, month, calls presented (or answered), answered under 10 seconds, 10 to under 60 seconds, 60 seconds or more, and optionally mean answer time; found: ${header.map((cell) => JSON.stringify(cell)).join(', ')}`,
    );
  }
  const figures: PublishedFigure[] = [];
  const rejectedLines: RejectedLine[] = [];
  const seen = new Map<string, number>();
  body.forEach((row, index) => {
    const line = index + 2;
    const cell = (column: Column) => {
      const at = columns[column];
      return at === undefined ? undefined : (row[at] ?? '');
    };
    // Undefined only for a column the header lacks, and a header without the required ones was refused above.
    const requiredCell = (column: Column) => defined(cell(column), `the ${column} column`);
    const reject = (reason: string) => rejectedLines.push({ line, reason });
    const forceText = requiredCell('force');
    const forceId = matchForce(forceText);
    if (forceId === undefined)
      return reject(`force: ${JSON.stringify(forceText)} is not a force of England and Wales in the reference data`);
    const month = parsePublishedMonth(requiredCell('month'));
    if (month === undefined)
      return reject(`month: ${JSON.stringify(cell('month'))} is not a month (2024-03, Mar-24 or March 2024)`);
    const numbers: Partial<Record<Column, { value: number; percent: boolean }>> = {};
    for (const column of ['presented', 'answered', 'under10s', 'from10to60s', 'over60s', 'mean'] as const) {
      const at = columns[column];
      if (at === undefined) continue;
      const raw = row[at] ?? '';
      if (raw === '' && (column === 'mean' || column === 'presented' || column === 'answered')) continue;
      const parsed = parsePublishedNumber(raw);
      if (parsed === undefined || parsed.value < 0)
        return reject(`${header[at]}: ${JSON.stringify(raw)} is not a number`);
      numbers[column] = parsed;
    }
    const key = `${forceId} ${month}`;
    const earlier = seen.get(key);
    if (earlier !== undefined)
      throw new PublishedFileError(
        `line ${line}: ${forceId} ${month} is also on line ${earlier}: a force-month given twice cannot be read one way`,
      );
    seen.set(key, line);

    // Required columns: a row without a number in each was rejected in the loop above.
    const bands = [
      defined(numbers.under10s, 'the under 10s band'),
      defined(numbers.from10to60s, 'the 10 to 60s band'),
      defined(numbers.over60s, 'the over 60s band'),
    ];
    const percentages = bands.some((band) => band.percent);
    const base = numbers.answered?.value ?? numbers.presented?.value;
    if (percentages && base === undefined)
      return reject('bands are percentages but no calls answered or presented are given to count them');
    const count = (band: { readonly value: number }) =>
      percentages && base !== undefined ? Math.round((band.value / 100) * base) : band.value;
    const [under10s, from10to60s, over60s] = bands.map(count) as [number, number, number];
    const answered = under10s + from10to60s + over60s;
    const { from, to } = monthSpan(month);
    const figure = (
      measureId: string,
      numerator: number | null,
      denominator: number | null,
      value: number | null,
    ): PublishedFigure => ({
      source: POLICE_UK_999_SOURCE,
      forceId,
      measureId,
      from,
      to,
      numerator,
      denominator,
      value,
      flags: percentages ? ['counts from percentages'] : [],
    });
    const share = (count: number) => (answered > 0 ? (count / answered) * 100 : null);
    figures.push(
      figure('calls.999.answered_within_10s', under10s, answered, share(under10s)),
      figure('calls.999.band.under_10s', under10s, answered, share(under10s)),
      figure('calls.999.band.10_to_under_60s', from10to60s, answered, share(from10to60s)),
      figure('calls.999.band.60s_or_more', over60s, answered, share(over60s)),
    );
    if (numbers.mean !== undefined && answered > 0)
      figures.push(
        figure('calls.999.mean_answer_seconds', numbers.mean.value * answered, answered, numbers.mean.value),
      );
  });
  return { figures, rejectedLines };
}
