import type { FeedInputSummary, FeedWatermark, SnapshotDocument } from './snapshot-document.ts';

/** One feed's inputs in two snapshots. */
export interface FeedInputsComparison {
  readonly feed: string;
  readonly before: (FeedInputSummary & Partial<FeedWatermark>) | null;
  readonly after: (FeedInputSummary & Partial<FeedWatermark>) | null;
  /** Events of the force stored from the feed between the two watermarks; null when either lacks one. */
  readonly storedBetween: number | null;
  /** Same watermark (stored events and last ingest); null when either snapshot predates watermarks. */
  readonly same: boolean | null;
}

/** Two snapshots compared on what they were computed from, beside what they publish. */
export interface SnapshotInputsComparison {
  readonly before: string;
  readonly after: string;
  readonly referenceVersion: { readonly before: string; readonly after: string; readonly same: boolean };
  readonly populationVintage: { readonly before: string; readonly after: string; readonly same: boolean };
  readonly codeVersion: { readonly before: string; readonly after: string; readonly same: boolean };
  readonly feeds: readonly FeedInputsComparison[];
  /** Every feed's watermark, the reference data, the population vintage and the code are the same. */
  readonly sameInputs: boolean;
  /** The content hashes (the measures) are equal. */
  readonly sameFigures: boolean;
}

const pair = (before: string, after: string) => ({ before, after, same: before === after });

/**
 * Lineage: compares two snapshots' inputs (per feed: events up to the as-of day, stored events
 * and the last ingest; the reference data, population and code versions). Equal inputs with
 * different figures point at something other than the data (a code change shows in
 * `codeVersion`); different inputs say which feed moved and by how many stored events.
 */
export function compareSnapshotInputs(before: SnapshotDocument, after: SnapshotDocument): SnapshotInputsComparison {
  const feedNames = [...new Set([...Object.keys(before.inputs.feeds), ...Object.keys(after.inputs.feeds)])].sort();
  const feeds = feedNames.map((feed): FeedInputsComparison => {
    const was = before.inputs.feeds[feed];
    const is = after.inputs.feeds[feed];
    const wasMark = before.inputs.watermarks?.[feed];
    const isMark = after.inputs.watermarks?.[feed];
    const known = wasMark !== undefined && isMark !== undefined;
    return {
      feed,
      before: was ? { ...was, ...wasMark } : null,
      after: is ? { ...is, ...isMark } : null,
      storedBetween: known ? isMark.storedEvents - wasMark.storedEvents : null,
      same: known
        ? wasMark.storedEvents === isMark.storedEvents &&
          wasMark.lastIngestAt === isMark.lastIngestAt &&
          was?.events === is?.events
        : null,
    };
  });
  const referenceVersion = pair(before.referenceVersion, after.referenceVersion);
  const populationVintage = pair(before.populationVintage, after.populationVintage);
  const codeVersion = pair(before.codeVersion, after.codeVersion);
  return {
    before: before.snapshotId,
    after: after.snapshotId,
    referenceVersion,
    populationVintage,
    codeVersion,
    feeds,
    sameInputs:
      feeds.every((feed) => feed.same === true) && referenceVersion.same && populationVintage.same && codeVersion.same,
    sameFigures: before.contentHash === after.contentHash,
  };
}
