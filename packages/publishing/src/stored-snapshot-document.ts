import { type DbOrTransaction, findSnapshot } from '@rollcall/db';
import type { SnapshotDocument } from './snapshot-document.ts';

/**
 * The published document of a stored snapshot. Written once by publishSnapshot from this type
 * and never changed (the table refuses updates), so it is read back as that type; `whose` says
 * what named the id, for the error when the row is missing, which would mean a broken database.
 */
export async function readSnapshotDocument(
  db: DbOrTransaction,
  snapshotId: string,
  whose: string,
): Promise<SnapshotDocument> {
  const stored = await findSnapshot(db, snapshotId);
  if (!stored) throw new Error(`snapshot ${snapshotId} is named by ${whose} but not in the snapshots table`);
  return stored.document as unknown as SnapshotDocument;
}
