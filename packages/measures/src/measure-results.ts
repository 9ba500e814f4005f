import type { MeasureResult, PublishedInterval } from './measure-definition.ts';
import { publishedProportionInterval } from './statistics/proportion-interval.ts';

type Breakdown = Readonly<Record<string, string>>;

const toPercentPoints = (interval: ReturnType<typeof publishedProportionInterval>): PublishedInterval | null =>
  interval === null
    ? null
    : {
        ...interval,
        lower: interval.lower * 100,
        upper: interval.upper * 100,
        halfWidth: interval.halfWidth * 100,
        ...(interval.wilson && { wilson: { lower: interval.wilson.lower * 100, upper: interval.wilson.upper * 100 } }),
      };

/**
 * A share in percent: numerator ÷ denominator × 100, with the counts as cells. The value is null
 * when the denominator is 0 (no share of nothing; flagged `[z]` on publication).
 */
export function percentResult(
  numerator: number,
  denominator: number,
  cells: { readonly numerator: string; readonly denominator: string },
  options: {
    readonly breakdown?: Breakdown;
    readonly ci?: boolean;
    readonly extraCells?: Readonly<Record<string, number>>;
  } = {},
): MeasureResult {
  return {
    ...(options.breakdown && { breakdown: options.breakdown }),
    value: denominator > 0 ? (numerator / denominator) * 100 : null,
    numerator,
    denominator,
    ...(options.ci && {
      ci: denominator > 0 ? toPercentPoints(publishedProportionInterval(numerator, denominator)) : null,
    }),
    cells: { [cells.numerator]: numerator, [cells.denominator]: denominator, ...options.extraCells },
  };
}

/** A count: the value is the numerator; there is no denominator. */
export function countResult(count: number, cell: string, breakdown?: Breakdown): MeasureResult {
  return {
    ...(breakdown && { breakdown }),
    value: count,
    numerator: count,
    denominator: null,
    cells: { [cell]: count },
  };
}

/**
 * A value that is not a share (a mean, a median, a rate per 1,000, a ratio) with the figures it
 * is derived from; `cells` name the counts behind it for disclosure control.
 */
export function derivedResult(
  value: number | null,
  numerator: number | null,
  denominator: number | null,
  cells: Readonly<Record<string, number>>,
  options: {
    readonly breakdown?: Breakdown;
    readonly extra?: Readonly<Record<string, number | string | null>>;
    readonly notes?: readonly string[];
  } = {},
): MeasureResult {
  return {
    ...(options.breakdown && { breakdown: options.breakdown }),
    value,
    numerator,
    denominator,
    cells,
    ...(options.extra && { extra: options.extra }),
    ...(options.notes && { notes: options.notes }),
  };
}
