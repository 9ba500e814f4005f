import type { StoredSnapshot } from '@rollcall/db';
import type { SnapshotDocument } from '@rollcall/publishing';

/**
 * The document of a stored snapshot. It is what `publishSnapshot` built and validated, written
 * once and never changed, so it is read as that type rather than decoded again on every request.
 */
export const documentOf = (snapshot: StoredSnapshot): SnapshotDocument =>
  snapshot.document as unknown as SnapshotDocument;
