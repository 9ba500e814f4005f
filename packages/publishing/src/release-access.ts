import { type DbOrTransaction, findEmbargoedKeys, recordPreReleaseAccess, releaseKeyOf } from '@rollcall/db';

/** The API scope that lets a token read snapshots under embargo (the pre-release access list). */
export const PRE_RELEASE_SCOPE = 'pre-release';

/** Who is reading snapshots, when, and through what request: what release control decides on. */
export interface SnapshotReader {
  /** The token's configured name (`API_TOKENS`), as the access log records it. */
  readonly name: string;
  /** Holds the `pre-release` scope: sees embargoed snapshots, each fetch logged. */
  readonly preRelease: boolean;
  /** The instant the embargo is judged at (the API's clock, injected in tests). */
  readonly at: Date;
  /** The request, as the access log records it (`GET /v1/snapshots/...`). */
  readonly what: string;
}

/** The reader of an API request: its principal (null on public routes), the clock, the request line. */
export function snapshotReaderOf(
  principal: { readonly name: string; readonly scopes: readonly string[] } | null,
  at: Date,
  what: string,
): SnapshotReader {
  return {
    name: principal?.name ?? 'anonymous',
    preRelease: principal?.scopes.includes(PRE_RELEASE_SCOPE) ?? false,
    at,
    what,
  };
}

/** The repository filter for the reader: embargoed snapshots hidden unless it holds `pre-release`. */
export const visibilityFor = (reader: SnapshotReader): { readonly visibleAt?: Date } =>
  reader.preRelease ? {} : { visibleAt: reader.at };

/**
 * The snapshots a reader may see, in their order: all of them for a `pre-release` reader, who is
 * logged in `pre_release_access` for each embargoed one it is shown (who, what, when, and the
 * content hash seen when known); the others without the embargoed ones. An embargoed snapshot
 * is hidden as if it did not exist (a 404, not a 403), so its date and id do not leak either.
 */
export async function admitSnapshots<
  T extends {
    readonly snapshotId: string;
    readonly forceId: string;
    readonly asOf: string;
    readonly contentHash?: string;
  },
>(db: DbOrTransaction, reader: SnapshotReader, snapshots: readonly T[]): Promise<T[]> {
  const embargoed = await findEmbargoedKeys(db, snapshots, reader.at);
  if (embargoed.size === 0) return [...snapshots];
  if (!reader.preRelease) return snapshots.filter((snapshot) => !embargoed.has(releaseKeyOf(snapshot)));
  await recordPreReleaseAccess(
    db,
    snapshots
      .filter((snapshot) => embargoed.has(releaseKeyOf(snapshot)))
      .map((snapshot) => ({
        tokenName: reader.name,
        snapshotId: snapshot.snapshotId,
        forceId: snapshot.forceId,
        asOf: snapshot.asOf,
        what: reader.what,
        contentHash: snapshot.contentHash ?? null,
        accessedAt: reader.at,
      })),
  );
  return [...snapshots];
}
