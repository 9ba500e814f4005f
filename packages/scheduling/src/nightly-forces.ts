import { type DbOrTransaction, readForceIds } from '@rollcall/db';

/**
 * FORCES names forces the reference data does not know. Raised at scheduler start: otherwise a
 * typo would only show at 03:30, as a nightly date failing for that force every night.
 */
export class UnknownForcesError extends Error {
  override readonly name = 'UnknownForcesError';
  constructor(
    readonly unknown: readonly string[],
    readonly known: readonly string[],
  ) {
    super(
      known.length === 0
        ? `FORCES cannot be checked: the reference forces table is empty (run \`rollcall migrate\` to load the reference data)`
        : `FORCES names ${unknown.length === 1 ? 'a force' : 'forces'} not in the reference forces table: ${unknown.map((id) => JSON.stringify(id)).join(', ')}. Known force ids: ${known.join(', ')}`,
    );
  }
}

/** Throws UnknownForcesError unless every configured force is in the reference `forces` table. */
export async function assertForcesKnown(db: DbOrTransaction, forces: readonly string[]): Promise<void> {
  const known = await readForceIds(db);
  const unknown = forces.filter((forceId) => !known.has(forceId));
  if (unknown.length > 0 || known.size === 0) throw new UnknownForcesError(unknown, [...known].sort());
}
