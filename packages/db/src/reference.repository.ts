import { type Force, ForceSettings, type Population, PopulationGroups, type ReferenceData } from '@rollcall/reference';
import type { z } from 'zod';
import { sql } from 'kysely';
import type { Db, DbOrTransaction } from './database.ts';

/**
 * What one reference version held when it was loaded: every force with its resolved settings,
 * and the populations of its vintage, each list by force id. Kept with the version (the `forces`
 * and `populations` tables hold the current one only), so what a snapshot's `referenceVersion`
 * used can be read back after newer files replaced it.
 */
export interface ReferenceVersionContents {
  readonly forces: readonly (Force & { readonly settings: ForceSettings })[];
  readonly populations: readonly Population[];
}

const byForceId = (a: { forceId: string }, b: { forceId: string }) =>
  a.forceId < b.forceId ? -1 : a.forceId > b.forceId ? 1 : 0;

function contentsOf(reference: ReferenceData): ReferenceVersionContents {
  const forces = reference.forces.map((force) => {
    const settings = reference.settings.get(force.forceId);
    if (!settings) throw new Error(`reference data ${reference.version}: no settings for force ${force.forceId}`);
    return { ...force, settings };
  });
  return { forces: forces.sort(byForceId), populations: [...reference.populations].sort(byForceId) };
}

/**
 * Loads reference data into its tables and marks its version current, in one transaction, keeping
 * what it holds with the version. Loading the version that is already current changes nothing;
 * loading an earlier one again makes it current again. Returns whether anything was loaded.
 */
export async function loadReferenceIntoDatabase(
  db: Db,
  reference: ReferenceData,
): Promise<{ loaded: boolean; version: string }> {
  return db.transaction().execute(async (trx) => {
    // Serialise concurrent loads (several test files or processes migrating at once).
    await sql`select pg_advisory_xact_lock(hashtextextended('rollcall:reference-data', 0))`.execute(trx);
    const current = await trx
      .selectFrom('reference_versions')
      .select('version')
      .where('is_current', '=', true)
      .executeTakeFirst();
    if (current?.version === reference.version) return { loaded: false, version: reference.version };

    const contents = contentsOf(reference);
    await trx.deleteFrom('forces').execute();
    await trx
      .insertInto('forces')
      .values(
        contents.forces.map((force) => ({
          force_id: force.forceId,
          name: force.name,
          ons_name: force.onsName,
          most_similar_group: force.mostSimilarGroup,
          settings: JSON.stringify(force.settings),
        })),
      )
      .execute();
    await trx.deleteFrom('populations').where('vintage', '=', reference.populationVintage).execute();
    await trx
      .insertInto('populations')
      .values(
        contents.populations.map((population) => ({
          vintage: population.vintage,
          force_id: population.forceId,
          residents: population.residents,
          groups: JSON.stringify(population.groups),
        })),
      )
      .execute();
    await trx.updateTable('reference_versions').set({ is_current: false }).where('is_current', '=', true).execute();
    await trx
      .insertInto('reference_versions')
      .values({
        version: reference.version,
        population_vintage: reference.populationVintage,
        is_current: true,
        contents: JSON.stringify(contents),
      })
      // The same version has the same contents (its id is their hash); writing them again fills
      // in a version loaded before contents were kept.
      .onConflict((oc) =>
        oc.column('version').doUpdateSet({ is_current: true, loaded_at: sql`now()`, contents: sql`excluded.contents` }),
      )
      .execute();
    return { loaded: true, version: reference.version };
  });
}

export async function readCurrentReferenceVersion(
  db: DbOrTransaction,
): Promise<{ version: string; populationVintage: string } | undefined> {
  const row = await db
    .selectFrom('reference_versions')
    .select(['version', 'population_vintage'])
    .where('is_current', '=', true)
    .executeTakeFirst();
  return row && { version: row.version, populationVintage: row.population_vintage };
}

export interface ReferenceVersion {
  readonly version: string;
  readonly populationVintage: string;
  readonly isCurrent: boolean;
  /** Null for a version replaced before its contents were kept (migration 2026-12-01-09). */
  readonly contents: ReferenceVersionContents | null;
}

/** A reference version, current or not, with what it held; undefined if it was never loaded. */
export async function readReferenceVersion(
  db: DbOrTransaction,
  version: string,
): Promise<ReferenceVersion | undefined> {
  const row = await db
    .selectFrom('reference_versions')
    .select(['version', 'population_vintage', 'is_current', 'contents'])
    .where('version', '=', version)
    .executeTakeFirst();
  return (
    row && {
      version: row.version,
      populationVintage: row.population_vintage,
      isCurrent: row.is_current,
      contents: row.contents as ReferenceVersionContents | null,
    }
  );
}

export async function readForceIds(db: DbOrTransaction): Promise<Set<string>> {
  const rows = await db.selectFrom('forces').select('force_id').execute();
  return new Set(rows.map((row) => row.force_id));
}

export interface ForceListing {
  readonly forceId: string;
  readonly name: string;
  /** HMICFRS most similar group, the force itself excluded. */
  readonly mostSimilarGroup: readonly string[];
}

/** Forces of the current reference data, by id. */
export async function listForces(db: DbOrTransaction): Promise<ForceListing[]> {
  const rows = await db
    .selectFrom('forces')
    .select(['force_id', 'name', 'most_similar_group'])
    .orderBy('force_id')
    .execute();
  return rows.map((row) => ({ forceId: row.force_id, name: row.name, mostSimilarGroup: row.most_similar_group }));
}

/** A force of the current reference data with its settings, parsed from what is stored. */
export type ForceReference = Force & { readonly settings: ForceSettings };

/** A stored jsonb value that does not parse: which table, which row, what is wrong. */
export class StoredReferenceError extends Error {
  constructor(where: string, error: z.ZodError) {
    super(
      `${where}: ${error.issues.map((issue) => `${issue.path.join('.') || '(value)'}: ${issue.message}`).join('; ')}`,
    );
    this.name = 'StoredReferenceError';
  }
}

/**
 * Every force of the current reference data, by id, its settings parsed with the schema they
 * were loaded with: a stored document is read back as what it claims to be, or fails here by name.
 */
export async function readForceReferences(db: DbOrTransaction): Promise<ForceReference[]> {
  const rows = await db.selectFrom('forces').selectAll().orderBy('force_id').execute();
  return rows.map((row) => {
    const settings = ForceSettings.safeParse(row.settings);
    if (!settings.success) throw new StoredReferenceError(`forces.settings of ${row.force_id}`, settings.error);
    return {
      forceId: row.force_id,
      name: row.name,
      onsName: row.ons_name,
      mostSimilarGroup: row.most_similar_group,
      settings: settings.data,
    };
  });
}

/** The populations of one vintage, by force id, their groups parsed. */
export async function readPopulations(db: DbOrTransaction, vintage: string): Promise<Population[]> {
  const rows = await db
    .selectFrom('populations')
    .selectAll()
    .where('vintage', '=', vintage)
    .orderBy('force_id')
    .execute();
  return rows.map((row) => {
    const groups = PopulationGroups.safeParse(row.groups);
    if (!groups.success)
      throw new StoredReferenceError(`populations.groups of ${row.force_id} (${vintage})`, groups.error);
    return { forceId: row.force_id, vintage: row.vintage, residents: row.residents, groups: groups.data };
  });
}

/** Each force's name and residents (the tables hold the current reference version only), by force id. */
export async function listForceResidents(
  db: DbOrTransaction,
): Promise<{ readonly name: string; readonly residents: number }[]> {
  return db
    .selectFrom('forces as f')
    .innerJoin('populations as p', 'p.force_id', 'f.force_id')
    .select(['f.name', 'p.residents'])
    .orderBy('f.force_id')
    .execute();
}
