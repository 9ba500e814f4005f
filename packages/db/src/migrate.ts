import type { Kysely } from 'kysely';
import { type Migration, type MigrationResult, Migrator } from 'kysely/migration';
import * as eventsAndAggregates from './migrations/2026-11-22-01-events-and-aggregates.ts';
import * as referenceData from './migrations/2026-11-22-02-reference-data.ts';
import * as snapshotsAndRuns from './migrations/2026-11-22-03-snapshots-and-runs.ts';
import * as policeUkImports from './migrations/2026-11-22-04-police-uk-imports.ts';
import * as monthlyAggregates from './migrations/2026-11-22-05-monthly-aggregates.ts';
import * as ingestParts from './migrations/2026-11-22-06-ingest-parts.ts';
import * as snapshotOutbox from './migrations/2026-11-22-07-snapshot-outbox.ts';
import * as policeUkRecords from './migrations/2026-12-01-08-police-uk-records.ts';
import * as referenceVersionContents from './migrations/2026-12-01-09-reference-version-contents.ts';
import * as immutableSnapshots from './migrations/2026-12-01-10-immutable-snapshots.ts';
import * as publishedFigures from './migrations/2026-12-05-11-published-figures.ts';
import * as pipelineMarkers from './migrations/2026-12-05-12-pipeline-markers.ts';
import * as releaseCalendar from './migrations/2026-12-05-13-release-calendar.ts';
import * as ingestManifest from './migrations/2026-12-05-15-ingest-manifest.ts';
import * as monthPartitions from './migrations/2026-12-05-16-month-partitions.ts';
import * as slimmerEvents from './migrations/2026-12-06-17-slimmer-events.ts';
import * as eventEnvelopeAndPayload from './migrations/2026-12-06-18-event-envelope-and-payload.ts';
import * as entityFactsAsJson from './migrations/2026-12-06-19-entity-facts-as-json.ts';

/**
 * Every migration, by name, in order. Imported statically rather than read from a folder so that
 * the set is checked by the compiler and works the same under tsx, vitest and a bundle.
 */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '2026-11-22-01-events-and-aggregates': eventsAndAggregates,
  '2026-11-22-02-reference-data': referenceData,
  '2026-11-22-03-snapshots-and-runs': snapshotsAndRuns,
  '2026-11-22-04-police-uk-imports': policeUkImports,
  '2026-11-22-05-monthly-aggregates': monthlyAggregates,
  '2026-11-22-06-ingest-parts': ingestParts,
  '2026-11-22-07-snapshot-outbox': snapshotOutbox,
  '2026-12-01-08-police-uk-records': policeUkRecords,
  '2026-12-01-09-reference-version-contents': referenceVersionContents,
  '2026-12-01-10-immutable-snapshots': immutableSnapshots,
  '2026-12-05-11-published-figures': publishedFigures,
  '2026-12-05-12-pipeline-markers': pipelineMarkers,
  '2026-12-05-13-release-calendar': releaseCalendar,
  '2026-12-05-15-ingest-manifest': ingestManifest,
  '2026-12-05-16-month-partitions': monthPartitions,
  '2026-12-06-17-slimmer-events': slimmerEvents,
  '2026-12-06-18-event-envelope-and-payload': eventEnvelopeAndPayload,
  '2026-12-06-19-entity-facts-as-json': entityFactsAsJson,
};

export class MigrationError extends Error {
  override readonly name = 'MigrationError';
  constructor(
    readonly migration: string | undefined,
    override readonly cause: unknown,
  ) {
    super(`migration ${migration ?? '(unknown)'} failed: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

const migratorFor = (db: Kysely<any>) =>
  new Migrator({
    db,
    provider: { getMigrations: async () => ({ ...MIGRATIONS }) },
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
  });

/** Applies pending migrations (idempotent). Returns the names applied; throws MigrationError on failure. */
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const { error, results } = await migratorFor(db).migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((result: MigrationResult) => result.status === 'Error');
    throw new MigrationError(failed?.migrationName, error);
  }
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}

/**
 * Applies pending migrations up to and including `name` (tests that build a database as an older
 * release left it, to migrate it with its data); throws MigrationError on failure.
 */
export async function migrateUpTo(db: Kysely<any>, name: string): Promise<string[]> {
  if (!(name in MIGRATIONS)) throw new RangeError(`no migration named ${name}`);
  const { error, results } = await migratorFor(db).migrateTo(name);
  if (error !== undefined) {
    const failed = results?.find((result: MigrationResult) => result.status === 'Error');
    throw new MigrationError(failed?.migrationName, error);
  }
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}

/** Names of migrations not yet applied; `/ready` is false while any remain. */
export async function pendingMigrations(db: Kysely<any>): Promise<string[]> {
  const migrations = await migratorFor(db).getMigrations();
  return migrations.filter((migration) => migration.executedAt === undefined).map((migration) => migration.name);
}
