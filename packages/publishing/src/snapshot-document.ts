import type { Period, PublishedMeasure, TrendRule } from '@rollcall/measures';

export interface FeedInputSummary {
  /** Events stored for the force with occurredAt up to the end of the as-of day. */
  readonly events: number;
  /** The latest occurredAt among them (the watermark), ISO 8601 UTC; null when none. */
  readonly latestOccurredAt: string | null;
}

/**
 * Lineage: how far a feed of the force had been stored when the snapshot was computed. Kept in
 * `inputs`, beside the content hash and not in it: the hash covers the measures only, so the
 * same figures hash the same whenever (and however often) they are computed, while the
 * watermark, an ingest time, differs between runs by nature.
 */
export interface FeedWatermark {
  /** Events of the force stored from the feed, whatever their date, every committed ingest part included. */
  readonly storedEvents: number;
  /**
   * When the latest ingest part offering an event of the force on this feed committed, ISO 8601 UTC; null before any.
   */
  readonly lastIngestAt: string | null;
}

export interface MeasureChange {
  readonly measureId: string;
  readonly breakdown: Readonly<Record<string, string>> | null;
  readonly periodId: string;
  readonly change: 'changed' | 'added' | 'removed';
  /**
   * For `changed`: the entry's fields whose values differ, sorted (`value`, `numerator`, `ci`,
   * `status`, `trend`, `msg`, `national`, `flags`, ...); never empty. Empty for `added` and
   * `removed`. `before`/`after` give the figures either way, so a change of `msg` alone shows equal
   * figures and says the comparison moved.
   */
  readonly fields: readonly string[];
  readonly before: {
    readonly value: number | null;
    readonly numerator: number | null;
    readonly denominator: number | null;
  } | null;
  readonly after: {
    readonly value: number | null;
    readonly numerator: number | null;
    readonly denominator: number | null;
  } | null;
}

/** Why a revision was published, machine-readable (issue: "late events, corrected events, reference data change"). */
export interface RevisionReasons {
  /** Events that arrived after publication and changed days the snapshot covers. */
  readonly lateEvents: number;
  /** Of those, corrections (`stop-search.amended`). */
  readonly correctedEvents: number;
  readonly referenceDataChanged: boolean;
  readonly populationVintageChanged: boolean;
  /**
   * Some entries changed only in their MSG or national comparisons: other forces' data moved them
   * while the force's own figures stood (or a code change did; `codeVersion` tells).
   */
  readonly otherForcesData: boolean;
  /**
   * Editions of published figures (comparisons, reconciliation) this revision reads that the one
   * before did not: `police-uk-999 edition a1b2c3d4e5f6`. Absent from revisions made before
   * published figures were read.
   */
  readonly publishedEditions?: readonly string[];
  /** None of the above: a code change, most likely; `codeVersion` of both revisions tells. */
  readonly other: boolean;
}

/** One edition of a source of published figures that a snapshot read. */
export interface PublishedEditionInput {
  readonly source: string;
  /** The first 12 hex digits of the file's SHA-256. */
  readonly edition: string;
  readonly file: string;
  readonly figures: number;
}

export interface RevisionInfo {
  readonly supersedes: string;
  readonly previousRevision: number;
  readonly reasons: RevisionReasons;
  readonly changes: readonly MeasureChange[];
}

/**
 * A published snapshot (operations.md, "Snapshots"). Immutable once published: a later
 * publication for the same force and date is a new revision that supersedes it.
 */
export interface SnapshotDocument {
  readonly snapshotId: string;
  readonly forceId: string;
  readonly forceName: string;
  readonly asOf: string;
  readonly generatedAt: string;
  readonly revision: number;
  readonly supersedes: string | null;
  /** sha256 of the canonical JSON of `measures` before revision marks ([r]). */
  readonly contentHash: string;
  readonly codeVersion: string;
  readonly referenceVersion: string;
  readonly populationVintage: string;
  readonly timeZone: string;
  readonly rules: {
    readonly disclosure: { readonly maxSuppressedCount: number; readonly description: string };
    readonly trend: TrendRule;
    /** How `status` reads a target; absent from snapshots published before amber existed. */
    readonly targetStatus?: string;
    /** `rankInterval` states the method; absent from snapshots published before rank intervals. */
    readonly msg: {
      readonly similarWithinPercent: number;
      readonly average: string;
      readonly similar?: string;
      readonly rankInterval?: string;
    };
    readonly nationalOutliers: string;
    readonly confidenceIntervals: string;
  };
  readonly inputs: {
    readonly feeds: Readonly<Record<string, FeedInputSummary>>;
    /** Editions of published figures read for the snapshot's periods; absent when none (and before they existed). */
    readonly published?: readonly PublishedEditionInput[];
    /** Per feed, how far its events had been stored (lineage); absent from snapshots published before it existed. */
    readonly watermarks?: Readonly<Record<string, FeedWatermark>>;
  };
  readonly periods: readonly Period[];
  readonly revisionOf: RevisionInfo | null;
  readonly measures: readonly PublishedMeasure[];
}
