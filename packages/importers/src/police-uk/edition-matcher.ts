/** The edition a new one is matched against: the latest imported, as its manifest keeps it. */
export interface PreviousEdition {
  /** Content hash per position (index i is position i + 1). */
  readonly rowHashes: readonly string[];
  /** The record each position holds: n of `pu-<force>-<month>-<n>`. */
  readonly rowRecords: readonly number[];
  /** Records the month has: every record any edition made, withdrawn ones included. */
  readonly records: number;
}

/** Which record a row of the new edition holds, and why. */
export type RowMatch =
  /** The same row (same content) as the previous edition had at `previousPosition`, moved or not. */
  | { readonly kind: 'same'; readonly record: number; readonly previousPosition: number }
  /** An edited row: it stands where the previous edition had a row this one lacks, and takes its record. */
  | { readonly kind: 'changed'; readonly record: number; readonly previousPosition: number }
  /** A row no record holds: a new record, numbered after every existing one. */
  | { readonly kind: 'new'; readonly record: number };

/** How a new edition of a force-month relates to the previous one. */
export interface EditionMatch {
  /** No row changed, added or removed: the same rows, in this order or another. */
  readonly unchanged: boolean;
  /** Per position of the new edition. */
  readonly rows: readonly RowMatch[];
  /** Positions of the new edition holding an edited row. */
  readonly changedPositions: readonly number[];
  /** Positions of the new edition holding a new record. */
  readonly addedPositions: readonly number[];
  /** Positions of the previous edition whose row this one lacks, ascending... */
  readonly removedPositions: readonly number[];
  /** ...and the records they held, in the same order: each is withdrawn. */
  readonly removedRecords: readonly number[];
  /** Records the month has after this edition. */
  readonly records: number;
}

/**
 * Matches a new edition of a data.police.uk force-month to the records of the previous one, one
 * row at a time as the file is read. The files have no record ids and every row is one person
 * searched, so a record is known by its content, and identical rows are interchangeable:
 *
 * 1. **Same**: the k-th row of the new edition with a given content hash takes the record of the
 *    k-th row of the previous edition with that hash. Rows that moved keep their records, so a
 *    row inserted or deleted mid-file, or a reordered file, changes no other record.
 * 2. **Changed**: a row left over stands in a gap between two same rows; it takes the record of
 *    the first row of the previous edition left over in the matching gap, in file order (as
 *    `diff` pairs a changed line). That is an edited row, and its record is amended.
 * 3. **New**: any row still left over is a new record.
 * 4. **Removed**: a row of the previous edition left over is gone; its record is withdrawn.
 *
 * Which record a same row takes is known as soon as it is read, and so is a new row's once every
 * row of the previous edition has been matched (a first import, rows appended at the end). The
 * other rows are settled by `finish()`: the caller keeps them until then, which for a typical
 * revision is a handful of rows and at worst, when every row changed, the whole file.
 */
export class EditionMatcher {
  private readonly previousByHash = new Map<string, { positions: number[]; next: number }>();
  private readonly matchedPrevious: boolean[];
  /** Previous rows not yet taken by a same row. */
  private pending: number;
  private records: number;
  private readonly rows: (RowMatch | undefined)[] = [];
  private finished = false;

  constructor(private readonly previous: PreviousEdition = { rowHashes: [], rowRecords: [], records: 0 }) {
    if (previous.rowRecords.length !== previous.rowHashes.length) {
      throw new RangeError(
        `the previous edition has ${previous.rowHashes.length} row hashes but ${previous.rowRecords.length} records`,
      );
    }
    const seen = new Set<number>();
    previous.rowHashes.forEach((hash, index) => {
      const record = previous.rowRecords[index] as number;
      if (!Number.isInteger(record) || record < 1 || record > previous.records || seen.has(record)) {
        throw new RangeError(
          `position ${index + 1} of the previous edition holds record ${record}: not one of 1..${previous.records}, or held twice`,
        );
      }
      seen.add(record);
      const entry = this.previousByHash.get(hash);
      if (entry) entry.positions.push(index + 1);
      else this.previousByHash.set(hash, { positions: [index + 1], next: 0 });
    });
    this.matchedPrevious = previous.rowHashes.map(() => false);
    this.pending = previous.rowHashes.length;
    this.records = previous.records;
  }

  /**
   * The next row of the new edition (rows come 1, 2, 3... as readPoliceUkCsv numbers them).
   * Returns its match when it is already settled, undefined when `finish()` will settle it.
   */
  see(position: number, contentHash: string): RowMatch | undefined {
    if (this.finished) throw new Error('EditionMatcher: see() after finish()');
    if (position !== this.rows.length + 1)
      throw new RangeError(`position ${position} after ${this.rows.length}: rows must come in file order`);
    const entry = this.previousByHash.get(contentHash);
    let match: RowMatch | undefined;
    if (entry !== undefined && entry.next < entry.positions.length) {
      const previousPosition = entry.positions[entry.next++] as number;
      this.matchedPrevious[previousPosition - 1] = true;
      this.pending -= 1;
      match = { kind: 'same', record: this.previous.rowRecords[previousPosition - 1] as number, previousPosition };
    } else if (this.pending === 0) {
      // Every previous row is taken by a same row, so nothing is left for this one to replace.
      match = { kind: 'new', record: ++this.records };
    }
    this.rows.push(match);
    return match;
  }

  /** Settles the rows `see` left open and lists the removed ones. Call once, after the last row. */
  finish(): EditionMatch {
    if (this.finished) throw new Error('EditionMatcher: finish() called twice');
    this.finished = true;
    const rows = this.rows;
    const previousRows = this.previous.rowHashes.length;
    const leftOver: number[] = [];
    this.matchedPrevious.forEach((matched, index) => {
      if (!matched) leftOver.push(index + 1);
    });

    // nextSame[i]: the previous position of the first same row at index i or later (the gap's end).
    const nextSame = new Int32Array(rows.length + 1).fill(previousRows + 1);
    for (let i = rows.length - 1; i >= 0; i--) {
      const row = rows[i];
      nextSame[i] = row?.kind === 'same' ? row.previousPosition : (nextSame[i + 1] as number);
    }
    // Left-over previous rows already paired are skipped through `skip` (a union-find "next free").
    const skip = Int32Array.from({ length: leftOver.length + 1 }, (_, i) => i);
    const nextFree = (i: number): number => {
      let root = i;
      while (skip[root] !== root) root = skip[root] as number;
      for (let at = i; at !== root;) {
        const next = skip[at] as number;
        skip[at] = root;
        at = next;
      }
      return root;
    };
    const firstAfter = (previousPosition: number): number => {
      let low = 0;
      let high = leftOver.length;
      while (low < high) {
        const mid = (low + high) >> 1;
        if ((leftOver[mid] as number) <= previousPosition) low = mid + 1;
        else high = mid;
      }
      return low;
    };

    let gapStart = 0;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      if (row !== undefined) {
        if (row.kind === 'same') gapStart = row.previousPosition;
        continue;
      }
      // A gap whose end comes before its start (rows moved around it) is bounded by the file's end.
      const end = nextSame[i + 1] as number;
      const gapEnd = end > gapStart ? end : previousRows + 1;
      const candidate = nextFree(firstAfter(gapStart));
      const previousPosition = leftOver[candidate];
      if (previousPosition !== undefined && previousPosition < gapEnd) {
        skip[candidate] = candidate + 1;
        rows[i] = {
          kind: 'changed',
          record: this.previous.rowRecords[previousPosition - 1] as number,
          previousPosition,
        };
        gapStart = previousPosition;
      }
    }

    const paired = new Set<number>();
    const changedPositions: number[] = [];
    const addedPositions: number[] = [];
    const settled = rows.map((row, i): RowMatch => {
      const match = row ?? { kind: 'new', record: ++this.records };
      if (match.kind === 'changed') {
        changedPositions.push(i + 1);
        paired.add(match.previousPosition);
      } else if (match.kind === 'new') {
        addedPositions.push(i + 1);
      }
      return match;
    });
    const removedPositions = leftOver.filter((position) => !paired.has(position));
    return {
      unchanged: changedPositions.length === 0 && addedPositions.length === 0 && removedPositions.length === 0,
      rows: settled,
      changedPositions,
      addedPositions,
      removedPositions,
      removedRecords: removedPositions.map((position) => this.previous.rowRecords[position - 1] as number),
      records: this.records,
    };
  }
}
