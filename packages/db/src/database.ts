import type { ColumnType, Generated, Kysely, Transaction } from 'kysely';

/** timestamptz: read as Date, written as Date or ISO string. */
type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** date: read and written as `YYYY-MM-DD` (a parser keeps pg from turning it into a local Date). */
type DateColumn = string;
/** jsonb: written as JSON text or a value pg serialises. */
type Json<T> = ColumnType<T, string | T, string | T>;

export interface EventsTable {
  feed: string;
  event_id: string;
  type: string;
  force_id: string;
  occurred_at: Timestamp;
  entity_kind: string;
  entity_id: string;
  /** The event without its payload (migration 18). */
  envelope: Json<Record<string, unknown>>;
  /** The event's payload; null when the event had none. */
  payload: Json<Record<string, unknown>> | null;
  received_at: Generated<Timestamp>;
}

/**
 * Event identity (migration 16): one row per stored (feed, eventId), whatever month its event is
 * partitioned into; its primary key is what stores each event exactly once.
 */
export interface EventIdsTable {
  feed: string;
  event_id: string;
  occurred_at: Timestamp;
  content_hash: string;
}

/** The oldest month a month-partitioned table still holds, once retention has dropped older ones. */
export interface PartitionRetentionTable {
  table_name: string;
  kept_from: DateColumn;
  changed_at: Generated<Timestamp>;
}

/** Stored events of months dropped by retention, so the accounting check still adds up. */
export interface RetiredEventCountsTable {
  feed: string;
  force_id: string;
  month: DateColumn;
  events: number;
}

export interface EntitiesTable {
  force_id: string;
  kind: string;
  entity_id: string;
  facts: Json<unknown[]>;
  status: string;
  started_at: Timestamp | null;
  ended_at: Timestamp | null;
  flags: Json<string[]>;
  updated_at: Generated<Timestamp>;
}

export interface DailyAggregatesTable {
  force_id: string;
  day: DateColumn;
  metric: string;
  dim: string;
  value: number;
}

export interface MonthlyAggregatesTable {
  force_id: string;
  /** First day of the month, `YYYY-MM-01`. */
  month: DateColumn;
  metric: string;
  dim: string;
  value: number;
}

export interface IngestPartsTable {
  job_key: string;
  part: string;
  outcome: Json<unknown>;
  committed_at: Generated<Timestamp>;
}

export interface DailyFeedStatsTable {
  force_id: string;
  feed: string;
  day: DateColumn;
  events: number;
  latest_occurred_at: Timestamp;
}

export interface EventAccountingTable {
  feed: string;
  force_id: string;
  stored: Generated<number>;
  duplicate: Generated<number>;
  rejected: Generated<number>;
  updated_at: Generated<Timestamp>;
}

export interface RejectedEventsTable {
  id: Generated<number>;
  feed: string;
  force_id: string | null;
  event_id: string | null;
  event_type: string | null;
  reason: string;
  source: string;
  payload: string;
  rejected_at: Generated<Timestamp>;
}

export interface ReferenceVersionsTable {
  version: string;
  population_vintage: string;
  loaded_at: Generated<Timestamp>;
  is_current: Generated<boolean>;
  /** `ReferenceVersionContents` (reference.repository.ts); null for versions replaced before it was kept. */
  contents: Json<Record<string, unknown> | null>;
}

export interface ForcesTable {
  force_id: string;
  name: string;
  ons_name: string;
  most_similar_group: string[];
  settings: Json<Record<string, unknown>>;
}

export interface PopulationsTable {
  vintage: string;
  force_id: string;
  residents: number;
  groups: Json<Record<string, number>>;
}

export interface SnapshotsTable {
  snapshot_id: string;
  force_id: string;
  as_of: DateColumn;
  revision: number;
  supersedes: string | null;
  content_hash: string;
  generated_at: Timestamp;
  document: Json<Record<string, unknown>>;
}

export interface SnapshotHeadsTable {
  force_id: string;
  as_of: DateColumn;
  snapshot_id: string;
  revision: number;
  content_hash: string;
  stale_since: Timestamp | null;
  stale_late_events: Generated<number>;
  stale_corrected_events: Generated<number>;
}

export interface NightlyRunsTable {
  as_of: DateColumn;
  state: string;
  attempts: Generated<number>;
  trigger: string;
  started_at: Timestamp | null;
  finished_at: Timestamp | null;
  error: string | null;
  published: Json<unknown[]>;
}

export interface SnapshotOutboxTable {
  snapshot_id: string;
  force_id: string;
  as_of: DateColumn;
  /** Defaults to now(); read as a Date (a Generated<Timestamp> would be read as the column type). */
  enqueued_at: ColumnType<Date, Date | string | undefined, Date | string>;
  delivered_at: Timestamp | null;
  attempts: Generated<number>;
  last_error: string | null;
}

export interface PublishedEditionsTable {
  edition_id: Generated<number>;
  source: string;
  file_name: string;
  content_sha256: string;
  figures: number;
  changed_figures: number;
  imported_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface PublishedFiguresTable {
  source: string;
  force_id: string;
  measure_id: string;
  period_from: DateColumn;
  period_to: DateColumn;
  numerator: number | null;
  denominator: number | null;
  value: number | null;
  flags: ColumnType<string[], string[] | undefined, string[]>;
  edition_id: number;
}

export interface PipelineMarkersTable {
  name: string;
  value: string;
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface ReleaseCalendarTable {
  force_id: string;
  as_of: DateColumn;
  release_at: Timestamp;
  time_zone: string;
  announced_at: ColumnType<Date, Date | string | undefined, Date | string>;
  released_at: Timestamp | null;
}

export interface PreReleaseAccessTable {
  id: Generated<string>;
  token_name: string;
  snapshot_id: string;
  force_id: string;
  as_of: DateColumn;
  what: string;
  content_hash: string | null;
  accessed_at: Timestamp;
}

export interface IngestRunsTable {
  run_id: string;
  feed: string;
  file_name: string;
  file_sha256: string;
  started_at: ColumnType<Date, Date | string | undefined, Date | string>;
  finished_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  lines: number | null;
  rejected_lines: number | null;
  jobs: number | null;
  rejections_through_line: ColumnType<number, number | undefined, number>;
}

export interface IngestRunJobsTable {
  run_id: string;
  job_index: number;
  job_id: string;
  first_line: number;
  last_line: number;
  events: number;
  event_ids_sha256: string;
  queued_at: ColumnType<Date, Date | string | undefined, Date | string>;
}

export interface Database {
  events: EventsTable;
  event_ids: EventIdsTable;
  partition_retention: PartitionRetentionTable;
  retired_event_counts: RetiredEventCountsTable;
  entities: EntitiesTable;
  daily_aggregates: DailyAggregatesTable;
  monthly_aggregates: MonthlyAggregatesTable;
  ingest_parts: IngestPartsTable;
  daily_feed_stats: DailyFeedStatsTable;
  event_accounting: EventAccountingTable;
  rejected_events: RejectedEventsTable;
  reference_versions: ReferenceVersionsTable;
  forces: ForcesTable;
  populations: PopulationsTable;
  snapshots: SnapshotsTable;
  snapshot_heads: SnapshotHeadsTable;
  nightly_runs: NightlyRunsTable;
  snapshot_outbox: SnapshotOutboxTable;
  published_editions: PublishedEditionsTable;
  published_figures: PublishedFiguresTable;
  pipeline_markers: PipelineMarkersTable;
  release_calendar: ReleaseCalendarTable;
  pre_release_access: PreReleaseAccessTable;
  ingest_runs: IngestRunsTable;
  ingest_run_jobs: IngestRunJobsTable;
}

export type Db = Kysely<Database>;
/** A database handle or an open transaction: repositories accept either. */
export type DbOrTransaction = Kysely<Database> | Transaction<Database>;
