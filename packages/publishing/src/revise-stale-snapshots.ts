import { findStaleSnapshotHeads } from '@rollcall/db';
import { type PublishDeps, type PublishOutcome, publishSnapshot } from './publish-snapshot.ts';

/**
 * Republishes every snapshot whose inputs changed after publication (late or corrected events),
 * oldest date first. Each either produces a revision with `[r]` marks, or, when the late events
 * did not change any published figure, clears the mark and publishes nothing.
 */
export async function reviseStaleSnapshots(deps: PublishDeps, forceIds?: readonly string[]): Promise<PublishOutcome[]> {
  const outcomes: PublishOutcome[] = [];
  for (const head of await findStaleSnapshotHeads(deps.db, forceIds)) {
    outcomes.push(await publishSnapshot(deps, head.forceId, head.asOf));
  }
  return outcomes;
}
