import { type Kysely, sql } from 'kysely';

/**
 * `events` keeps what its readers use (issue 19). Since migration 16, identity is `event_ids`' key
 * (each event stored once) and the content hash that tells a duplicate from a conflict is read
 * there; `events` still carried a copy of the hash (65 bytes a row, never read) and a primary key
 * (feed, event_id, occurred_at) that nothing looked events up by: its one use was the explain
 * queries' scan of a feed's events over a time range, which it served only by its first column.
 * Now: no hash, no key, and an index on exactly what those queries ask, (force_id, feed,
 * occurred_at), which also keeps a force's explain fast in a database holding many forces.
 *
 * Dropping a column only hides it: rows stored before keep their bytes until rewritten (a partition
 * dropped by retention, or `VACUUM FULL`). Building the index reads every partition once.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table events drop constraint events_pkey`.execute(db);
  await sql`alter table events drop column content_hash`.execute(db);
  await sql`create index events_by_force_feed_time on events (force_id, feed, occurred_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index events_by_force_feed_time`.execute(db);
  await sql`alter table events add column content_hash text`.execute(db);
  await sql`update events e set content_hash = i.content_hash
    from event_ids i where i.feed = e.feed and i.event_id = e.event_id`.execute(db);
  await sql`alter table events alter column content_hash set not null`.execute(db);
  await sql`alter table events add constraint events_pkey primary key (feed, event_id, occurred_at)`.execute(db);
}
