/** A published value with its unit, as every view and the printed report write it (en-GB). */
export function formatValue(value: number | null | undefined, unit: string, extraDigits = 0): string {
  if (value === null || value === undefined) return '';
  const num = (digits: number) =>
    value.toLocaleString('en-GB', { minimumFractionDigits: 0, maximumFractionDigits: digits + extraDigits });
  switch (unit) {
    case 'percent':
      return `${num(1)}%`;
    case 'percent-change':
      return `${value > 0 ? '+' : ''}${num(1)}%`;
    case 'count':
      return num(0);
    case 'seconds':
      return `${num(1)} s`;
    case 'days':
      return `${num(1)} days`;
    case 'per-1000':
      return `${num(2)} per 1,000`;
    case 'ratio':
      return `${num(2)}\u00d7`;
    default:
      return num(2);
  }
}

/** What each flag means, said in place beside the figure (GSS shorthand, measures.md). */
export const FLAG_MEANINGS: Readonly<Record<string, string>> = {
  '[c]': 'suppressed: a small count that could identify people',
  '[x]': 'not available: data missing for part of the period',
  '[z]': 'not applicable',
  '[r]': 'revised since first published',
  '[p]': 'provisional: the period is not complete yet',
};

/**
 * A value beside its target: one more decimal when rounding would show the target itself for a
 * value that misses it (89.97% is not "90%" against a 90% target).
 */
export function formatAgainstTarget(value: number, target: number | null, unit: string): string {
  const text = formatValue(value, unit);
  if (target === null || value === target) return text;
  for (let extra = 1; extra <= 3; extra++) {
    if (formatValue(value, unit, extra - 1) !== formatValue(target, unit, extra - 1))
      return formatValue(value, unit, extra - 1);
  }
  return formatValue(value, unit, 3);
}
