import { findStaleSnapshotHeads } from '@rollcall/db';
import type { PublishDeps } from './publish-deps.ts';
import { type PublishOutcome, publishSnapshot } from './publish-snapshot.ts';

/** A stale snapshot that could not be republished, and why. */
export interface StaleSnapshotFailure {
  readonly forceId: string;
  readonly asOf: string;
  readonly error: string;
}

/**
 * Some stale snapshots could not be revised. Thrown only after every stale snapshot was tried:
 * `revised` holds what was published, `failures` each one that was not (still marked stale, so
 * the next revision tries it again).
 */
export class StaleSnapshotsRevisionError extends Error {
  override readonly name = 'StaleSnapshotsRevisionError';
  constructor(
    readonly revised: readonly PublishOutcome[],
    readonly failures: readonly StaleSnapshotFailure[],
  ) {
    const listed = failures.map((failure) => `${failure.forceId} as of ${failure.asOf}: ${failure.error}`).join('; ');
    super(`${failures.length} of ${failures.length + revised.length} stale snapshots could not be revised: ${listed}`);
  }
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * Republishes every snapshot whose inputs changed after publication (late or corrected events),
 * oldest date first. Each either produces a revision with `[r]` marks, or, when the late events
 * did not change any published entry, clears the mark and publishes nothing.
 *
 * One snapshot that cannot be republished (its force left the reference data, its files cannot
 * be written) does not hold the others back: each failure is logged with its force and date, the
 * rest are revised, and then StaleSnapshotsRevisionError reports the failures with what was revised.
 */
export async function reviseStaleSnapshots(deps: PublishDeps, forceIds?: readonly string[]): Promise<PublishOutcome[]> {
  const revised: PublishOutcome[] = [];
  const failures: StaleSnapshotFailure[] = [];
  for (const head of await findStaleSnapshotHeads(deps.db, forceIds)) {
    try {
      revised.push(await publishSnapshot(deps, head.forceId, head.asOf));
    } catch (err) {
      deps.log.error(
        { err, forceId: head.forceId, asOf: head.asOf },
        'stale snapshot not revised; it stays stale for the next revision',
      );
      failures.push({ forceId: head.forceId, asOf: head.asOf, error: messageOf(err) });
    }
  }
  if (failures.length > 0) throw new StaleSnapshotsRevisionError(revised, failures);
  return revised;
}
