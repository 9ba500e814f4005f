/**
 * The publishing the nightly run drives. It is not this package's: the snapshot code passes it in,
 * so the run's ordering, ledger and retries are tested without computing a single measure.
 */

/** What publishing one force as of one date did. JSON-ready: it is kept in the run ledger. */
export interface NightlyPublication {
  readonly forceId: string;
  readonly asOf: string;
  /** The head snapshot after publishing; null when the force had nothing to publish. */
  readonly snapshotId: string | null;
  readonly revision: number | null;
  /** False when the inputs were unchanged and the existing snapshot stands (same `contentHash`). */
  readonly created: boolean;
}

/** Publishes the snapshot of `forceId` as of the end of London day `asOf` (`YYYY-MM-DD`); idempotent. */
export type PublishSnapshot = (forceId: string, asOf: string) => Promise<NightlyPublication>;

/** Republishes every snapshot head marked stale (late/corrected events); returns what it published. */
export type ReviseStaleSnapshots = () => Promise<readonly NightlyPublication[]>;
