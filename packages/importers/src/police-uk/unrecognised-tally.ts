import type { Unrecognised } from './map-police-uk-row.ts';

export interface UnrecognisedCount extends Unrecognised {
  /** Rows of the file with this value. */
  readonly rows: number;
}

/** Counts the rows per ethnicity or outcome wording no mapping knows. */
export class UnrecognisedTally {
  private readonly counts = new Map<string, UnrecognisedCount>();

  count(values: readonly Unrecognised[]): void {
    for (const { column, value } of values) {
      const key = `${column}\u0000${value}`;
      this.counts.set(key, { column, value, rows: (this.counts.get(key)?.rows ?? 0) + 1 });
    }
  }

  /** Most frequent first, then by column and value. */
  mostFrequentFirst(): UnrecognisedCount[] {
    return [...this.counts.values()].sort(
      (a, b) => b.rows - a.rows || a.column.localeCompare(b.column) || a.value.localeCompare(b.value),
    );
  }
}
