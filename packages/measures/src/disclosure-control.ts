import type { ComputedMeasure, Flag } from './compute-snapshot-measures.ts';
import type { AdditiveGroup, CellSum, MeasureDefinition } from './measure-definition.ts';
import { defined } from '@rollcall/contract';
import { MEASURES } from './measure-catalog.ts';

export interface DisclosureRule {
  /** Counts from 1 to this are suppressed; 0 never is (operations.md, default 4). */
  readonly maxSuppressedCount: number;
}

/** operations.md: counts from 1 to 4 are suppressed unless SUPPRESS_MAX_COUNT says otherwise. */
export const DEFAULT_DISCLOSURE_RULE: DisclosureRule = { maxSuppressedCount: 4 };

/** A published entry: a computed one after disclosure control, without its internal cells. */
export type PublishedMeasure = Omit<ComputedMeasure, 'cells' | 'impliedCells' | 'cellSums'> & {
  readonly suppressed?: '[c]';
};

/** Said on an entry whose trend was withheld, so a reader knows it was not simply unavailable. */
export const TREND_WITHHELD_NOTE =
  "trend withheld: the value 12 months earlier was suppressed in that period's publication, and the change would give it away";

export interface DisclosureReport {
  readonly primary: number;
  readonly secondary: number;
}

/** What disclosure control reads of an entry (or of a measure result): the counts it rests on. */
export interface CellCarrier {
  readonly cells: Readonly<Record<string, number>>;
  readonly impliedCells?: Readonly<Record<string, number>>;
  readonly cellSums?: readonly CellSum[];
}

export interface CellSuppression extends DisclosureReport {
  /** Cells suppressed, primary and secondary: an entry carrying any of them is suppressed. */
  readonly suppressed: ReadonlySet<string>;
}

const isSmall = (value: number, rule: DisclosureRule) => value >= 1 && value <= rule.maxSuppressedCount;

/** Value first, then id: the order secondary suppression picks in, so that picks are deterministic. */
const byValueThenId = (values: ReadonlyMap<string, number>) => (a: string, b: string) =>
  (values.get(a) ?? 0) - (values.get(b) ?? 0) || (a < b ? -1 : 1);

/**
 * The cells of one period's publication that must be suppressed.
 *
 * A cell is *published* when an entry carrying it is not suppressed. It is *known* when it is
 * published or follows by subtraction: the one member of a sum (an additive group's total and
 * parts, a share's denominator = numerator + complement, ...) whose other members are all known.
 * Implied cells (`impliedCells`) are carried by no entry, so they are only ever known that way.
 *
 * 1. primary: every carried cell from 1 to `maxSuppressedCount`;
 * 2. secondary: while some small cell is still known by subtraction, one more member of the sum
 *    that gives it away is suppressed: the smallest published non-zero part, or, failing that,
 *    a part that is itself known by subtraction (breaking that sum in turn), or the total.
 *
 * So 497 of 500 searches finding something hides the find rate (its complement, 3, is small),
 * and 101 abandonments of 50 overall and 47 on the secondary queue hide one of the two (3 on the
 * primary queue). A sum with two members unknown gives neither away, whatever their size, so a
 * suppressed entry does not drag down those that only share a total with it. Zero is never
 * suppressed. Deterministic: sums in input order, ties broken by cell id.
 */
export function suppressCells(
  entries: readonly CellCarrier[],
  groups: readonly AdditiveGroup[],
  rule: DisclosureRule,
): CellSuppression {
  const values = new Map<string, number>();
  const carriers = new Map<string, number[]>();
  entries.forEach((entry, index) => {
    for (const [cell, value] of Object.entries(entry.impliedCells ?? {})) values.set(cell, value);
    for (const [cell, value] of Object.entries(entry.cells)) {
      values.set(cell, value);
      const carrying = carriers.get(cell);
      if (carrying) carrying.push(index);
      else carriers.set(cell, [index]);
    }
  });
  // Nothing small, nothing to hide (the common case for a large force's period).
  if (![...values.values()].some((value) => isSmall(value, rule)))
    return { suppressed: new Set(), primary: 0, secondary: 0 };

  const sums: CellSum[] = [];
  const seenSums = new Set<string>();
  const addSum = (sum: CellSum) => {
    const key = [sum.total, ...sum.parts].join('\u0001');
    if (seenSums.has(key) || ![sum.total, ...sum.parts].every((cell) => values.has(cell))) return;
    seenSums.add(key);
    sums.push(sum);
  };
  const sortedCells = [...values.keys()].sort();
  for (const group of groups) {
    if (values.has(group.total))
      addSum({
        total: group.total,
        parts: sortedCells.filter((cell) => cell.startsWith(group.partsPrefix) && cell !== group.total),
      });
  }
  for (const entry of entries) for (const sum of entry.cellSums ?? []) addSum(sum);

  const suppressed = new Set<string>();
  const entrySuppressed = entries.map(() => false);
  const suppress = (cell: string) => {
    suppressed.add(cell);
    for (const index of carriers.get(cell) ?? []) entrySuppressed[index] = true;
  };
  let primary = 0;
  let secondary = 0;
  for (const [cell, value] of values) {
    if (carriers.has(cell) && isSmall(value, rule)) {
      suppress(cell);
      primary += 1;
    }
  }
  const isPublished = (cell: string) => (carriers.get(cell) ?? []).some((index) => !entrySuppressed[index]);

  const members = sums.map((sum) => [sum.total, ...sum.parts]);
  const sumsOf = new Map<string, number[]>();
  members.forEach((cells, index) => {
    for (const cell of cells) sumsOf.set(cell, [...(sumsOf.get(cell) ?? []), index]);
  });
  /** Each known cell, with the index of the sum it follows from (null: published). */
  const knownCells = (): Map<string, number | null> => {
    const known = new Map<string, number | null>();
    const unknownIn = members.map((cells) => cells.length);
    const learnt: string[] = [];
    const learn = (cell: string, via: number | null) => {
      known.set(cell, via);
      learnt.push(cell);
    };
    for (const cell of values.keys()) if (isPublished(cell)) learn(cell, null);
    for (let cell = learnt.pop(); cell !== undefined; cell = learnt.pop()) {
      for (const index of sumsOf.get(cell) ?? []) {
        const unknown = defined(unknownIn[index], 'the unknown count of a sum') - 1;
        unknownIn[index] = unknown;
        if (unknown !== 1) continue;
        const last = defined(members[index], 'the members of a sum').find((member) => !known.has(member));
        if (last !== undefined) learn(last, index);
      }
    }
    return known;
  };

  // Among the other members of the sum that gives `hidden` away: one to suppress, or undefined.
  const memberToHide = (
    known: ReadonlyMap<string, number | null>,
    hidden: string,
    sumIndex: number,
    visited: Set<number>,
  ): string | undefined => {
    visited.add(sumIndex);
    const sum = defined(sums[sumIndex], 'the sum that gives a cell away');
    const others = (cells: readonly string[]) =>
      cells
        .filter((cell) => cell !== hidden && (values.get(cell) ?? 0) > 0 && known.has(cell))
        .sort(byValueThenId(values));
    const published = (cells: readonly string[]) => others(cells).find((cell) => known.get(cell) === null);
    const deduced = (cells: readonly string[]) => {
      for (const cell of others(cells)) {
        const via = known.get(cell);
        if (via === null || via === undefined || visited.has(via)) continue;
        const found = memberToHide(known, cell, via, visited);
        if (found !== undefined) return found;
      }
      return undefined;
    };
    return published(sum.parts) ?? deduced(sum.parts) ?? published([sum.total]) ?? deduced([sum.total]);
  };

  const counted = new Set(suppressed);
  const unresolvable = new Set<string>();
  for (;;) {
    const known = knownCells();
    // Every known cell has a value (so ?? 0 is never used): published ones are keys of `values`,
    // deduced ones members of a sum, and addSum keeps only sums whose members all have one.
    const leaks = [...known].flatMap(([cell, via]) =>
      via !== null && isSmall(values.get(cell) ?? 0, rule) && !unresolvable.has(cell) ? [[cell, via] as const] : [],
    );
    const leak = leaks.sort(([a], [b]) => (a < b ? -1 : 1))[0];
    if (leak === undefined) break;
    const [cell, via] = leak;
    if (!counted.has(cell)) {
      counted.add(cell);
      primary += 1;
    }
    const pick = memberToHide(known, cell, via, new Set());
    // Every other member is zero or unknown for good: nothing left to suppress for this cell.
    if (pick === undefined) unresolvable.add(cell);
    else {
      suppress(pick);
      secondary += 1;
    }
  }
  return { suppressed, primary, secondary };
}

/** The additive groups of the definitions with entries among these. */
export function additiveGroupsOf(
  measureIds: Iterable<string>,
  definitions: readonly MeasureDefinition[],
): AdditiveGroup[] {
  const ids = new Set(measureIds);
  return definitions
    .filter((definition) => ids.has(definition.id))
    .flatMap((definition) => definition.additiveGroups ?? []);
}

/**
 * Suppresses small counts before anything is published, per period (`suppressCells`): every
 * entry resting on a suppressed cell loses its value, numerator, denominator and everything
 * derived from them (interval, status, trend, comparisons), and carries `[c]`.
 *
 * What other publications would give away is settled before this, when the entries are computed
 * (`computeSnapshotMeasures`): comparisons leave out other forces' suppressed figures, and a
 * trend is withheld when the value 12 months earlier was suppressed in that period's own
 * publication. Deterministic, so the same inputs give the same publication and content hash.
 */
export function applyDisclosureControl(
  entries: readonly ComputedMeasure[],
  rule: DisclosureRule,
  definitions: readonly MeasureDefinition[] = MEASURES,
): { measures: PublishedMeasure[]; report: DisclosureReport } {
  const suppressedByPeriod = new Map<string, ReadonlySet<string>>();
  let primary = 0;
  let secondary = 0;
  for (const periodId of new Set(entries.map((entry) => entry.period.id))) {
    const inPeriod = entries.filter((entry) => entry.period.id === periodId);
    const result = suppressCells(
      inPeriod,
      additiveGroupsOf(
        inPeriod.map((entry) => entry.measureId),
        definitions,
      ),
      rule,
    );
    suppressedByPeriod.set(periodId, result.suppressed);
    primary += result.primary;
    secondary += result.secondary;
  }

  const measures = entries.map((entry): PublishedMeasure => {
    const { cells, impliedCells: _implied, cellSums: _sums, ...published } = entry;
    const suppressed = defined(
      suppressedByPeriod.get(entry.period.id),
      `the suppressed cells of period ${entry.period.id}`,
    );
    if (!Object.keys(cells).some((cell) => suppressed.has(cell))) return published;
    const flags: Flag[] = ['[c]', ...entry.flags.filter((flag) => flag !== '[c]' && flag !== '[z]')];
    const {
      ci: _ci,
      status: _status,
      trend: _trend,
      msg: _msg,
      national: _national,
      extra: _extra,
      reconciliation: _reconciliation,
      ...rest
    } = published;
    return { ...rest, value: null, numerator: null, denominator: null, flags, suppressed: '[c]' };
  });
  return { measures, report: { primary, secondary } };
}
