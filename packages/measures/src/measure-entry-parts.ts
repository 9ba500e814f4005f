import type { MeasureResult, MeasureTarget, PublishedInterval } from './measure-definition.ts';
import { TREND_WITHHELD_NOTE } from './disclosure-control.ts';
import type { Trend } from './statistics/trend.ts';
import { type NearlyMetRule, targetStatus, type TargetStatus } from './target-status.ts';

// The optional parts of a snapshot entry, each named for what it is. Every helper returns the
// part's fields when the entry has them and an empty object when it has not, so that an absent
// field stays absent (never `undefined`) and the entry lists its fields in one fixed order.

/** The confidence interval, on measures that have one: null while months are missing. */
export function intervalPart(result: MeasureResult, available: boolean): { readonly ci?: PublishedInterval | null } {
  if (result.ci === undefined) return {};
  return { ci: available ? result.ci : null };
}

/** The force's target, and, when there is a value, whether it meets it (met, nearly met, not met). */
export function targetPart(
  target: MeasureTarget | undefined,
  value: number | null,
  ci: PublishedInterval | null | undefined,
  nearlyMet: NearlyMetRule | undefined,
): { readonly target?: number; readonly status?: TargetStatus } {
  if (!target) return {};
  if (value === null) return { target: target.value };
  return { target: target.value, status: targetStatus(value, target, ci, nearlyMet) };
}

/** The trend against 12 months earlier, on rolling 12-month periods (null when withheld or not computable). */
export function trendPart(trended: { readonly trend: Trend | null } | undefined): { readonly trend?: Trend | null } {
  if (trended === undefined) return {};
  return { trend: trended.trend };
}

/** The months of the period without data, when there are any (the entry is then not available). */
export function missingMonthsPart(missing: readonly string[]): { readonly missingMonths?: readonly string[] } {
  if (missing.length === 0) return {};
  return { missingMonths: missing };
}

/**
 * Other published figures of the entry; none while months are missing, where they would read as
 * real (a missing year as 0).
 */
export function extraPart(result: MeasureResult, available: boolean): Pick<MeasureResult, 'extra'> {
  if (!result.extra || !available) return {};
  return { extra: result.extra };
}

/** The measure's notes, and the note saying a trend was withheld; absent when there are none. */
export function notesPart(result: MeasureResult, trendWithheld: boolean): { readonly notes?: readonly string[] } {
  const notes = [...(result.notes ?? []), ...(trendWithheld ? [TREND_WITHHELD_NOTE] : [])];
  if (notes.length === 0) return {};
  return { notes };
}

/** Counts the entry gives away by subtraction, for disclosure control; only when available. */
export function impliedCellsPart(result: MeasureResult, available: boolean): Pick<MeasureResult, 'impliedCells'> {
  if (!available || !result.impliedCells) return {};
  return { impliedCells: result.impliedCells };
}

/** Cells that add up, for disclosure control; only when available. */
export function cellSumsPart(result: MeasureResult, available: boolean): Pick<MeasureResult, 'cellSums'> {
  if (!available || !result.cellSums) return {};
  return { cellSums: result.cellSums };
}
