/** A plain fixed-width table for terminals and logs: no colours, so it survives being piped. */
export function textTable(
  headers: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly ('left' | 'right')[] = [],
): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  // A cell beyond the headers has no width of its own: padding to 0 leaves it as it is.
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        align[column] === 'right' ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

const integer = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
const oneDecimal = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const twoDecimals = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const threeFigures = new Intl.NumberFormat('en-GB', { minimumSignificantDigits: 3, maximumSignificantDigits: 3 });

/** A measure value as a person reads it, in its unit. */
export function formatValue(value: number | null | undefined, unit: string): string {
  if (value === null || value === undefined) return '';
  switch (unit) {
    case 'percent':
      return `${oneDecimal.format(value)}%`;
    case 'percent-change':
      return `${value > 0 ? '+' : ''}${oneDecimal.format(value)}%`;
    case 'count':
      return integer.format(value);
    case 'seconds':
      return `${oneDecimal.format(value)} s`;
    case 'days':
      return `${oneDecimal.format(value)} days`;
    case 'per-1000':
      return `${twoDecimals.format(value)} per 1,000`;
    case 'ratio':
      return `${twoDecimals.format(value)}×`;
    default:
      return String(value);
  }
}

export const formatCount = (value: number | null | undefined): string =>
  value === null || value === undefined ? '' : integer.format(value);

/**
 * The figures a measure's value rests on, as a person reads them beside it:
 * - a ratio (disproportionality) divides two rates per 1,000 people, shown to 3 significant
 *   figures: `0.548 / 0.237 per 1,000` (whole numbers would print `1 / 0`);
 * - a median or other quantile has no numerator, only the number of items it is taken over:
 *   `n = 18,378`;
 * - a mean time divides a total of seconds by a count: `183,782 s / 18,378`;
 * - a count is the count; a share, a rate or a change divides two counts: `16,412 / 18,378`.
 */
export function formatFigures(numerator: number | null, denominator: number | null, unit: string): string {
  if (unit === 'ratio') {
    if (numerator === null || denominator === null) return '';
    return `${threeFigures.format(numerator)} / ${threeFigures.format(denominator)} per 1,000`;
  }
  if (numerator === null) return denominator === null ? '' : `n = ${formatCount(denominator)}`;
  const top = unit === 'seconds' ? `${formatCount(numerator)} s` : formatCount(numerator);
  return denominator === null ? top : `${top} / ${formatCount(denominator)}`;
}
