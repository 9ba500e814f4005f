import { type DbOrTransaction, findSnapshot } from '@rollcall/db';
import type { SnapshotDocument } from './snapshot-document.ts';
import { parseSnapshotDocument } from './snapshot-document-schema.ts';

/**
 * The published document of a stored snapshot, parsed with its schema (a document that does not
 * parse fails by name, StoredSnapshotDocumentError); `whose` says what named the id, for the
 * error when the row is missing, which would mean a broken database.
 */
export async function readSnapshotDocument(
  db: DbOrTransaction,
  snapshotId: string,
  whose: string,
): Promise<SnapshotDocument> {
  const stored = await findSnapshot(db, snapshotId);
  if (!stored) throw new Error(`snapshot ${snapshotId} is named by ${whose} but not in the snapshots table`);
  return parseSnapshotDocument(snapshotId, stored.document);
}
