import { createDatabase, ensureDatabaseExists, loadReferenceIntoDatabase, migrateToLatest } from '@rollcall/db';
import { loadReferenceData } from '@rollcall/reference';
import { commandSetup } from '../cli-context.ts';
import { type CommandIo, parseOptions, writeLine } from '../command-line.ts';

export interface MigrationOutcome {
  readonly databaseCreated: boolean;
  readonly applied: readonly string[];
  readonly referenceVersion: string;
  readonly referenceLoaded: boolean;
}

/**
 * Creates the database if needed, applies pending migrations (idempotent), and loads the
 * reference data shipped in the repository when its version is new.
 */
export async function migrateDatabase(databaseUrl: string): Promise<MigrationOutcome> {
  const { created } = await ensureDatabaseExists(databaseUrl);
  const db = createDatabase(databaseUrl, { maxConnections: 2, applicationName: 'rollcall-migrate' });
  try {
    const applied = await migrateToLatest(db);
    const reference = await loadReferenceIntoDatabase(db, loadReferenceData());
    return {
      databaseCreated: created,
      applied,
      referenceVersion: reference.version,
      referenceLoaded: reference.loaded,
    };
  } finally {
    await db.destroy();
  }
}

export async function migrateCommand(args: readonly string[], io: CommandIo): Promise<number> {
  parseOptions(args, {}, 'migrate');
  const { config, log } = commandSetup(io, 'migrate');
  const outcome = await migrateDatabase(config.databaseUrl);
  log.info({ ...outcome }, 'migrations done');
  writeLine(
    io.stdout,
    [
      outcome.databaseCreated ? 'created the database; ' : '',
      outcome.applied.length > 0
        ? `applied ${outcome.applied.length} migration(s): ${outcome.applied.join(', ')}`
        : 'database schema up to date',
      `; reference data ${outcome.referenceVersion}${outcome.referenceLoaded ? ' loaded' : ' current'}`,
    ].join(''),
  );
  return 0;
}
