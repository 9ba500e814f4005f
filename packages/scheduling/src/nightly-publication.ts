/**
 * The publishing the nightly run drives. It is not this package's: the snapshot code passes it in,
 * so the run's ordering, ledger and retries are tested without computing a single measure.
 */

import type { NightlyPublication } from '@rollcall/db';

// The ledger's vocabulary, which the nightly run's API speaks in (the ledger itself is in db).
export type { NightlyPublication, NightlyTrigger } from '@rollcall/db';

/** Publishes the snapshot of `forceId` as of the end of London day `asOf` (`YYYY-MM-DD`); idempotent. */
export type PublishSnapshot = (forceId: string, asOf: string) => Promise<NightlyPublication>;

/** Republishes every snapshot head marked stale (late/corrected events); returns what it published. */
export type ReviseStaleSnapshots = () => Promise<readonly NightlyPublication[]>;
