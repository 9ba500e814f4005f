import { parse } from 'csv-parse/sync';
import type { PublishedFigure } from '@rollcall/db';
import type { ForceNameMatcher } from './force-name-matcher.ts';
import {
  normaliseHeader,
  parsePublishedNumber,
  PublishedFileError,
  type PublishedFileReading,
  type RejectedLine,
} from './published-file.ts';
import { parsePeriodDays } from './published-period.ts';

export const PUBLISHED_LONG_COLUMNS = [
  'source',
  'force',
  'period_from',
  'period_to',
  'measure_id',
  'numerator',
  'denominator',
  'value',
  'flags',
] as const;

/**
 * The documented long layout (docs/feeds.md, "Published figures"): one row per source, force,
 * period and measure, so any publication (Home Office tables, HMICFRS data) loads without code.
 * `source` names the publication; `force` is a force id or name; the period is its first and
 * last day; numerator, denominator and value are numbers or empty; flags are separated by `;`.
 * Rows are checked one by one: an unknown force or measure, a bad period or text in a number is
 * rejected with its reason. The header must be exactly these columns (in any order), and a row
 * given twice rejects the file.
 */
export function readPublishedLong(
  text: string,
  matchForce: ForceNameMatcher,
  knownMeasureIds: ReadonlySet<string>,
): PublishedFileReading {
  const [headerLine, ...body] = parse(text, {
    bom: true,
    skip_empty_lines: true,
    trim: true,
    relax_column_count: true,
  }) as string[][];
  if (headerLine === undefined)
    throw new PublishedFileError(`the file is empty: expected the header ${PUBLISHED_LONG_COLUMNS.join(',')}`);
  const header = headerLine.map(normaliseHeader).map((cell) => cell.replaceAll(' ', '_'));
  const index = new Map(header.map((cell, i) => [cell, i]));
  const missing = PUBLISHED_LONG_COLUMNS.filter((column) => column !== 'flags' && !index.has(column));
  if (missing.length > 0) {
    throw new PublishedFileError(
      `missing column ${missing.join(', ')}: the header must be ${PUBLISHED_LONG_COLUMNS.join(',')} (flags optional); found ${headerLine.join(',')}`,
    );
  }
  const figures: PublishedFigure[] = [];
  const rejectedLines: RejectedLine[] = [];
  const seen = new Map<string, number>();
  body.forEach((row, i) => {
    const line = i + 2;
    const cell = (column: (typeof PUBLISHED_LONG_COLUMNS)[number]) => {
      const at = index.get(column);
      return at === undefined ? '' : (row[at] ?? '');
    };
    const reject = (reason: string) => rejectedLines.push({ line, reason });
    const source = cell('source');
    if (!/^[a-z0-9][a-z0-9._-]{0,63}$/.test(source))
      return reject(
        `source: ${JSON.stringify(source)} must be a short name in lower case (home-office-pfa, hmicfrs-peel)`,
      );
    const forceId = matchForce(cell('force'));
    if (forceId === undefined)
      return reject(
        `force: ${JSON.stringify(cell('force'))} is not a force of England and Wales in the reference data`,
      );
    const measureId = cell('measure_id');
    if (!knownMeasureIds.has(measureId))
      return reject(`measure_id: ${JSON.stringify(measureId)} is not a measure (docs/measures.md lists them)`);
    const period = parsePeriodDays(cell('period_from'), cell('period_to'));
    if (!period)
      return reject(
        `period: ${JSON.stringify(cell('period_from'))} to ${JSON.stringify(cell('period_to'))} must be two YYYY-MM-DD days, the first not after the last`,
      );
    const numbers: Record<'numerator' | 'denominator' | 'value', number | null> = {
      numerator: null,
      denominator: null,
      value: null,
    };
    for (const column of ['numerator', 'denominator', 'value'] as const) {
      const raw = cell(column);
      if (raw === '') continue;
      const parsed = parsePublishedNumber(raw);
      if (parsed === undefined || parsed.percent)
        return reject(`${column}: ${JSON.stringify(raw)} is not a number (write 89.4, not 89.4%)`);
      numbers[column] = parsed.value;
    }
    const key = `${source} ${forceId} ${measureId} ${period.from} ${period.to}`;
    const earlier = seen.get(key);
    if (earlier !== undefined)
      throw new PublishedFileError(
        `line ${line}: ${key} is also on line ${earlier}: a figure given twice cannot be read one way`,
      );
    seen.set(key, line);
    const flags =
      cell('flags') === ''
        ? []
        : cell('flags')
            .split(';')
            .map((flag) => flag.trim())
            .filter(Boolean);
    figures.push({ source, forceId, measureId, ...period, ...numbers, flags });
  });
  return { figures, rejectedLines };
}
