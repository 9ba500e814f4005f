import type { ReferenceData } from '@rollcall/reference';
import { sql } from 'kysely';
import type { Db, DbOrTransaction } from './database.ts';

/**
 * Loads reference data into its tables and marks its version current, in one transaction.
 * Loading the version that is already current changes nothing. Returns whether it was new.
 */
export async function loadReferenceIntoDatabase(db: Db, reference: ReferenceData): Promise<{ loaded: boolean; version: string }> {
  return db.transaction().execute(async (trx) => {
    // Serialise concurrent loads (several test files or processes migrating at once).
    await sql`select pg_advisory_xact_lock(hashtextextended('rollcall:reference-data', 0))`.execute(trx);
    const current = await trx.selectFrom('reference_versions').select('version').where('is_current', '=', true).executeTakeFirst();
    if (current?.version === reference.version) return { loaded: false, version: reference.version };

    await trx.deleteFrom('forces').execute();
    await trx
      .insertInto('forces')
      .values(
        reference.forces.map((force) => ({
          force_id: force.forceId,
          name: force.name,
          ons_name: force.onsName,
          most_similar_group: force.mostSimilarGroup,
          settings: JSON.stringify(reference.settings.get(force.forceId) ?? {}),
        })),
      )
      .execute();
    await trx.deleteFrom('populations').where('vintage', '=', reference.populationVintage).execute();
    await trx
      .insertInto('populations')
      .values(
        reference.populations.map((population) => ({
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
      .values({ version: reference.version, population_vintage: reference.populationVintage, is_current: true })
      .onConflict((oc) => oc.column('version').doUpdateSet({ is_current: true, loaded_at: sql`now()` }))
      .execute();
    return { loaded: true, version: reference.version };
  });
}

export async function readCurrentReferenceVersion(db: DbOrTransaction): Promise<{ version: string; populationVintage: string } | undefined> {
  const row = await db
    .selectFrom('reference_versions')
    .select(['version', 'population_vintage'])
    .where('is_current', '=', true)
    .executeTakeFirst();
  return row && { version: row.version, populationVintage: row.population_vintage };
}

export async function readForceIds(db: DbOrTransaction): Promise<Set<string>> {
  const rows = await db.selectFrom('forces').select('force_id').execute();
  return new Set(rows.map((row) => row.force_id));
}
