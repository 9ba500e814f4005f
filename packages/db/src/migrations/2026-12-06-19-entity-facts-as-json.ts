import { type Kysely, sql } from 'kysely';

/**
 * `entities.facts` holds an entity's facts as JSON text (`json`), not `jsonb` (issue 19), as event
 * bodies do since migration 18. The workers write the whole list whenever an entity changes and
 * read it back whole to fold a late event; the one query that looks inside (calls waiting, a
 * day's calls of a force through the `entities_started` index) walks the list with
 * `json_array_elements` as it did with `jsonb_array_elements`. Measured on 1,000 entities of bench
 * data: the insert 25-35 → 15-21 ms, WAL 896-948 → 731-792 kB. `flags` stays `jsonb`: its partial
 * index compares it with `'[]'`, which `json` cannot.
 *
 * Changing the type rewrites the table once.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table entities alter column facts type json using facts::text::json`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table entities alter column facts type jsonb using facts::jsonb`.execute(db);
}
