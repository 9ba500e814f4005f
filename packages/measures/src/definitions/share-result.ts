import type { CellSum, MeasureResult } from '../measure-definition.ts';
import { percentResult } from '../measure-results.ts';

/** A count and the id of its cell. */
export interface CellCount {
  readonly cell: string;
  readonly count: number;
}

/** Cells a result gives away by subtraction, and the sums that tie them to its own. */
export interface ImpliedCells {
  readonly impliedCells: Readonly<Record<string, number>>;
  readonly cellSums: readonly CellSum[];
}

/**
 * Id of the implied cell `whole − part`. It opens with a parenthesis so that it never starts with
 * an additive group's parts prefix (`incidents.due.` would otherwise claim
 * `incidents.due.emergency|urban − ...` as a part of all incidents due).
 */
export const restCellId = (part: string, whole: string): string => `(${whole} − ${part})`;

/**
 * The rest of a whole once a part is published beside it: with both figures out, whole − part is
 * out too (497 of 500 searches finding something says 3 found nothing), so it is an implied cell,
 * tied by the sum whole = part + rest. `restCell` names it when it is a known count (searches
 * with no ethnicity recorded); by default it is `restCellId(part, whole)`.
 */
export function restOf(
  part: CellCount,
  whole: CellCount,
  restCell: string = restCellId(part.cell, whole.cell),
): ImpliedCells {
  return {
    impliedCells: { [restCell]: whole.count - part.count },
    cellSums: [{ total: whole.cell, parts: [part.cell, restCell] }],
  };
}

/** The result with more implied cells and sums; a cell the result carries is not implied as well. */
export function withImplied(result: MeasureResult, ...implied: readonly ImpliedCells[]): MeasureResult {
  const impliedCells: Record<string, number> = { ...result.impliedCells };
  const cellSums = [...(result.cellSums ?? [])];
  for (const more of implied) {
    for (const [cell, count] of Object.entries(more.impliedCells))
      if (!(cell in result.cells)) impliedCells[cell] = count;
    cellSums.push(...more.cellSums);
  }
  return { ...result, ...(Object.keys(impliedCells).length > 0 && { impliedCells }), cellSums };
}

/**
 * A share in percent (`percentResult`) whose complement, denominator − numerator, is an implied
 * cell: every share measure publishes both counts, so every share gives its complement away, and
 * disclosure control treats it like any other count (suppressed from 1 to the threshold; zero
 * never). `cells.complement` names it when it is a count of its own.
 */
export function shareResult(
  numerator: number,
  denominator: number,
  cells: { readonly numerator: string; readonly denominator: string; readonly complement?: string },
  options: Parameters<typeof percentResult>[3] = {},
): MeasureResult {
  return withImplied(
    percentResult(numerator, denominator, cells, options),
    restOf(
      { cell: cells.numerator, count: numerator },
      { cell: cells.denominator, count: denominator },
      cells.complement,
    ),
  );
}
