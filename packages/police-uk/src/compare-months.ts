import { type PoliceUkRow, type RowRejection, rawValuesOf } from './police-uk-row.ts';
import { rowContentHash } from './row-content-hash.ts';

/** How a re-supplied force-month differs from the import before it, position by position. */
export interface MonthRevision {
  readonly unchanged: boolean;
  /** Positions in both imports whose content differs: each becomes a `stop-search.amended`. */
  readonly changedPositions: readonly number[];
  /** Positions only in the new file: new records. */
  readonly addedPositions: readonly number[];
  /** Positions only in the previous import: records the new file no longer has. */
  readonly removedPositions: readonly number[];
}

/** The content hash of a row as read, or of the cells of a rejected row (same hash function). */
export function contentHashOf(item: PoliceUkRow | RowRejection): string {
  return rowContentHash(item.kind === 'row' ? rawValuesOf(item) : item.raw);
}

/**
 * Compares a new edition of a force-month with the content hashes stored from the previous one
 * (`previousHashes[i]` is the hash of position i + 1). Pure: the caller loads and stores hashes.
 *
 * Records are named by position (the files have no ids), so the comparison is positional too: a
 * row inserted or deleted in the middle shows as every later position changed plus one added or
 * removed at the end. That is reported, not hidden, because it is what the published month now
 * says: those recordIds do hold different searches.
 */
export function compareMonths(previousHashes: readonly string[], currentRows: Iterable<PoliceUkRow | RowRejection>): MonthRevision {
  const current = new Map<number, string>();
  for (const item of currentRows) current.set(item.position, contentHashOf(item));

  const changedPositions: number[] = [];
  const removedPositions: number[] = [];
  previousHashes.forEach((hash, index) => {
    const position = index + 1;
    const now = current.get(position);
    if (now === undefined) removedPositions.push(position);
    else if (now !== hash) changedPositions.push(position);
  });
  const addedPositions = [...current.keys()].filter((position) => position > previousHashes.length || position < 1).sort((a, b) => a - b);

  return {
    unchanged: changedPositions.length === 0 && addedPositions.length === 0 && removedPositions.length === 0,
    changedPositions,
    addedPositions,
    removedPositions,
  };
}
