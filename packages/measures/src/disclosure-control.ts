import type { ComputedMeasure, Flag } from './compute-snapshot-measures.ts';
import type { AdditiveGroup, MeasureDefinition } from './measure-definition.ts';
import { MEASURES } from './measure-catalog.ts';

export interface DisclosureRule {
  /** Counts from 1 to this are suppressed; 0 never is (operations.md, default 4). */
  readonly maxSuppressedCount: number;
}

/** A published entry: a computed one after disclosure control, without its internal cells. */
export type PublishedMeasure = Omit<ComputedMeasure, 'cells' | 'trendCells'> & { readonly suppressed?: '[c]' };

/** Said on an entry whose trend was withheld, so a reader knows it was not simply unavailable. */
export const TREND_WITHHELD_NOTE = 'trend withheld: the value 12 months earlier rests on a count small enough to be suppressed';

export interface DisclosureReport {
  readonly primary: number;
  readonly secondary: number;
}

/**
 * Suppresses small counts before anything is published, per period:
 *
 * 1. primary: every cell (a count behind an entry) from 1 to `maxSuppressedCount`;
 * 2. secondary: wherever cells add up (the 999 bands to calls answered, ethnic groups to all
 *    searches, outcomes to decisions...), a group with exactly one suppressed member would give
 *    it away by subtraction, so the smallest other non-zero part (or, failing that, the total)
 *    is suppressed too; repeated until no group has a lone suppressed member;
 * 3. every entry resting on a suppressed cell loses its value, numerator, denominator and
 *    everything derived from them (interval, status, trend, comparisons), and carries `[c]`;
 * 4. an entry whose trend compares with a value 12 months earlier resting on a small count keeps
 *    its own figures but loses the trend: with the current value, the change would give the
 *    earlier value away (a count that period's own publication suppressed).
 *
 * Zero is never suppressed: it discloses nothing about a person. Deterministic (ties broken by
 * cell id), so the same inputs give the same publication and content hash.
 */
export function applyDisclosureControl(
  entries: readonly ComputedMeasure[],
  rule: DisclosureRule,
  definitions: readonly MeasureDefinition[] = MEASURES,
): { measures: PublishedMeasure[]; report: DisclosureReport } {
  const groupsByMeasure = new Map<string, readonly AdditiveGroup[]>(definitions.map((d) => [d.id, d.additiveGroups ?? []]));
  const suppressedByPeriod = new Map<string, Set<string>>();
  let primary = 0;
  let secondary = 0;

  const periods = [...new Set(entries.map((entry) => entry.period.id))];
  for (const periodId of periods) {
    const inPeriod = entries.filter((entry) => entry.period.id === periodId);
    const cells = new Map<string, number>();
    for (const entry of inPeriod) for (const [cell, value] of Object.entries(entry.cells)) cells.set(cell, value);
    const suppressed = new Set<string>();
    for (const [cell, value] of cells) {
      if (value >= 1 && value <= rule.maxSuppressedCount) {
        suppressed.add(cell);
        primary += 1;
      }
    }
    const groups = new Map<string, AdditiveGroup>();
    for (const entry of inPeriod) for (const group of groupsByMeasure.get(entry.measureId) ?? []) groups.set(`${group.total}\u0001${group.partsPrefix}`, group);
    const sortedCells = [...cells.keys()].sort();
    for (let changed = true; changed; ) {
      changed = false;
      for (const group of groups.values()) {
        if (!cells.has(group.total)) continue;
        const parts = sortedCells.filter((cell) => cell.startsWith(group.partsPrefix) && cell !== group.total);
        const members = [group.total, ...parts];
        if (members.filter((cell) => suppressed.has(cell)).length !== 1) continue;
        const candidates = parts
          .filter((cell) => !suppressed.has(cell) && (cells.get(cell) ?? 0) > 0)
          .sort((a, b) => (cells.get(a) ?? 0) - (cells.get(b) ?? 0) || (a < b ? -1 : 1));
        const pick = candidates[0] ?? (suppressed.has(group.total) || (cells.get(group.total) ?? 0) === 0 ? undefined : group.total);
        if (pick !== undefined) {
          suppressed.add(pick);
          secondary += 1;
          changed = true;
        }
      }
    }
    suppressedByPeriod.set(periodId, suppressed);
  }

  const isSmall = (value: number) => value >= 1 && value <= rule.maxSuppressedCount;
  const measures = entries.map((entry): PublishedMeasure => {
    const { cells, trendCells, ...published } = entry;
    const suppressed = suppressedByPeriod.get(entry.period.id)!;
    if (!Object.keys(cells).some((cell) => suppressed.has(cell))) {
      if (published.trend && trendCells && Object.values(trendCells).some(isSmall)) {
        return { ...published, trend: null, notes: [...(published.notes ?? []), TREND_WITHHELD_NOTE] };
      }
      return published;
    }
    const flags: Flag[] = ['[c]', ...entry.flags.filter((flag) => flag !== '[c]' && flag !== '[z]')];
    const {
      ci: _ci,
      status: _status,
      trend: _trend,
      msg: _msg,
      national: _national,
      extra: _extra,
      ...rest
    } = published;
    return { ...rest, value: null, numerator: null, denominator: null, flags, suppressed: '[c]' };
  });
  return { measures, report: { primary, secondary } };
}
