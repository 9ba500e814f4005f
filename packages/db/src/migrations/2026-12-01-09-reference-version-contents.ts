import { type Kysely, sql } from 'kysely';

/**
 * What each reference version held. `forces` and `populations` hold the current version only (a
 * load replaces them), while a snapshot names the version it was computed with: keeping each
 * version's forces, settings and populations beside its hash lets an analyst see what a revision
 * used, long after newer files replaced them. About 40 KB a version (43 forces).
 *
 * Versions loaded before this migration lost their contents when they were replaced, except the
 * current one, which the tables still hold: it is filled in from them, in the shape
 * `loadReferenceIntoDatabase` writes (lists in code-point order of force id, as JavaScript sorts,
 * hence `collate "C"`). The others stay null. Frozen: later changes are new migrations.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('reference_versions').addColumn('contents', 'jsonb').execute();
  await sql`
    update reference_versions v set contents = jsonb_build_object(
      'forces', (
        select coalesce(jsonb_agg(jsonb_build_object(
          'forceId', f.force_id, 'name', f.name, 'onsName', f.ons_name,
          'mostSimilarGroup', to_jsonb(f.most_similar_group), 'settings', f.settings) order by f.force_id collate "C"), '[]'::jsonb)
        from forces f),
      'populations', (
        select coalesce(jsonb_agg(jsonb_build_object(
          'forceId', p.force_id, 'vintage', p.vintage, 'residents', p.residents, 'groups', p.groups) order by p.force_id collate "C"), '[]'::jsonb)
        from populations p where p.vintage = v.population_vintage))
    where v.is_current`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('reference_versions').dropColumn('contents').execute();
}
