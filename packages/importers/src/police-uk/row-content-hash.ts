import { createHash } from 'node:crypto';
import { type PoliceUkRow, type RowRejection, rawValuesOf } from './police-uk-row.ts';

/**
 * First 16 hex digits (64 bits) of the SHA-256 of a row's cells, as a JSON array in canonical
 * column order. JSON keeps the join unambiguous (a comma inside a cell cannot shift a boundary)
 * and the hash covers the raw text, so any edit to any cell, even whitespace, changes it.
 * 64 bits is plenty to tell the rows of one force-month apart; it is not a global identifier.
 */
export function rowContentHash(rawValues: readonly string[]): string {
  return createHash('sha256').update(JSON.stringify(rawValues)).digest('hex').slice(0, 16);
}

/** The content hash of a row as read, or of the cells of a rejected row (same hash function). */
export function contentHashOf(item: PoliceUkRow | RowRejection): string {
  return rowContentHash(item.kind === 'row' ? rawValuesOf(item) : item.raw);
}
