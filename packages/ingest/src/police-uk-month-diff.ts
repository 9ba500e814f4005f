import type { MonthRevision } from '@rollcall/police-uk';

/**
 * `compareMonths` from @rollcall/police-uk fed one row at a time. The pure version takes every
 * row of the new edition at once, which would hold a whole file in memory (the largest forces
 * publish tens of thousands of rows a month); this one keeps only the positions that differ.
 * The rules are the same, position by position: a hash that differs from the previous edition's
 * is changed, a position past its end is added, a position it had that this edition lacks is
 * removed (police-uk-month-diff.test.ts checks both give the same result).
 */
export class PoliceUkMonthDiff {
  private readonly changed: number[] = [];
  private readonly added: number[] = [];
  private seen = 0;

  /** `previousHashes[i]` is the content hash of position i + 1 in the previous edition. */
  constructor(private readonly previousHashes: readonly string[]) {}

  /** The next row of the new edition. readPoliceUkCsv numbers rows 1, 2, 3... with no gaps. */
  see(position: number, contentHash: string): void {
    if (position !== this.seen + 1) throw new RangeError(`position ${position} after ${this.seen}: rows must come in file order`);
    this.seen = position;
    const before = this.previousHashes[position - 1];
    if (before === undefined) this.added.push(position);
    else if (before !== contentHash) this.changed.push(position);
  }

  result(): MonthRevision {
    const removedPositions = Array.from({ length: Math.max(0, this.previousHashes.length - this.seen) }, (_, i) => this.seen + i + 1);
    return {
      unchanged: this.changed.length === 0 && this.added.length === 0 && removedPositions.length === 0,
      changedPositions: [...this.changed],
      addedPositions: [...this.added],
      removedPositions,
    };
  }
}
