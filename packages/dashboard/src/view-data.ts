/**
 * What each dashboard view reads, in one request per view (`GET /dashboard/data/...`): the API
 * builds these from stored snapshots and call state, the browser code draws them. Plain types
 * shared by both sides; values are as published (never recomputed in the browser).
 */

export type Flag = '[c]' | '[x]' | '[z]' | '[r]' | '[p]';
export type Rag = 'green' | 'amber' | 'red';

export interface ForceRef {
  readonly id: string;
  readonly name: string;
}

export interface ViewContext {
  readonly force: ForceRef;
  /** The configured forces, by name, for the selector. */
  readonly forces: readonly ForceRef[];
  /** Whether the token may open the queue UI: the page shows the link only then. */
  readonly admin: boolean;
}

export interface SnapshotRef {
  readonly snapshotId: string;
  readonly asOf: string;
  readonly revision: number;
  readonly generatedAt: string;
}

export interface Interval {
  readonly lower: number;
  readonly upper: number;
}

/** One measure's headline figure for one period, as a card or a row shows it. */
export interface FigureCard {
  readonly measureId: string;
  readonly title: string;
  readonly unit: string;
  readonly direction: string;
  readonly periodId: string;
  readonly periodLabel: string;
  readonly value: number | null;
  readonly numerator: number | null;
  readonly denominator: number | null;
  readonly ci: Interval | null;
  readonly target: number | null;
  /** met / nearly met / not met as published, and its colour: amber when the interval reaches the target. */
  readonly status: string | null;
  readonly rag: Rag | null;
  readonly trend: { readonly label: string; readonly changePercent: number } | null;
  readonly msg: {
    readonly rank: string | null;
    readonly rankInterval: string | null;
    readonly average: number | null;
    readonly comparison: string | null;
  } | null;
  readonly flags: readonly Flag[];
  readonly notes: readonly string[];
}

export interface ScorecardFeed {
  readonly feed: string;
  readonly title: string;
  readonly cards: readonly FigureCard[];
}

export interface ScorecardData extends ViewContext {
  readonly snapshot: SnapshotRef | null;
  readonly feeds: readonly ScorecardFeed[];
}

/** One period of a chart: the latest revision of that period's snapshot. */
export interface ChartPoint {
  /** The period's last day (the snapshot's as-of date). */
  readonly periodEnd: string;
  readonly label: string;
  readonly value: number | null;
  readonly ci: Interval | null;
  readonly target: number | null;
  /** Month to date: drawn apart from the complete periods, marked provisional. */
  readonly provisional: boolean;
  readonly snapshotId: string;
  readonly revision: number;
  readonly flags: readonly Flag[];
}

export interface MsgBar {
  readonly forceId: string;
  readonly name: string;
  readonly value: number | null;
  readonly self: boolean;
}

export interface MsgChart {
  readonly periodId: string;
  readonly rank: string | null;
  readonly rankInterval: string | null;
  readonly average: number | null;
  readonly band: Interval | null;
  /** The force and its most similar group, best first; forces without a published figure last, value null. */
  readonly bars: readonly MsgBar[];
}

export interface RevisionRow {
  readonly snapshotId: string;
  readonly revision: number;
  readonly generatedAt: string;
  readonly value: number | null;
  readonly flags: readonly Flag[];
  readonly reasons: readonly string[];
}

export interface MeasureInfo {
  readonly id: string;
  readonly title: string;
  readonly feed: string;
  readonly unit: string;
  readonly direction: string;
  readonly definition: string;
  readonly source: string;
  readonly method: string;
  readonly periods: readonly string[];
}

export interface MeasurePageData extends ViewContext {
  readonly measure: MeasureInfo;
  readonly snapshot: SnapshotRef | null;
  /** The latest figure of each period the measure is published for. */
  readonly latest: readonly FigureCard[];
  readonly monthly: readonly ChartPoint[];
  readonly rolling: readonly ChartPoint[];
  readonly msg: MsgChart | null;
  readonly revisions: readonly RevisionRow[];
}

export interface LiveQueue {
  readonly channel: string;
  readonly queue: string;
  /** Null when suppressed (a count from 1 to the disclosure limit on a public route). */
  readonly waiting: number | null;
  readonly longestWaitSeconds: number | null;
  readonly suppressed: boolean;
}

export interface LiveData extends ViewContext {
  readonly readAt: string;
  readonly refreshSeconds: number;
  readonly queues: readonly LiveQueue[];
}

export interface ReportData extends ViewContext {
  readonly snapshot: SnapshotRef | null;
  readonly period: string | null;
  readonly groups: readonly {
    readonly priority: string;
    readonly measures: readonly {
      readonly card: FigureCard;
      readonly monthly: readonly ChartPoint[];
      readonly narrative: string;
    }[];
  }[];
  /** Titles of the headline measures with no figure for the period ([x]): listed, not charted. */
  readonly notAvailable: readonly string[];
}
