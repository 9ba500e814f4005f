import { type Kysely, sql } from 'kysely';

/**
 * Release control (issue 17; the Code of Practice for Statistics: release at a pre-announced
 * time, equal access, named pre-release access).
 *
 * `release_calendar` holds one pre-announced release per force and as-of date. A snapshot of a
 * force and date with a release in the calendar is embargoed while `release_at` is in the
 * future: every reader tests that one predicate, so at `release_at` it becomes visible
 * everywhere at once (no job flips it). `released_at` records when its files and
 * `snapshots.published` message were delivered (what no predicate can hold back), so a release
 * the scheduler missed shows. `pre_release_access` logs every fetch of an embargoed snapshot by
 * a `pre-release` token: who, what, when.
 *
 * The immutability trigger of migration 10 is replaced by one that lets PostgreSQL rewrite a
 * snapshot in place while its release is still to come: late events before release change the
 * embargoed figures without a revision, since nobody outside the pre-release list has seen them.
 * Once released, the row is as immutable as any other. "Still to come" is judged on the
 * publisher's clock when its transaction states it (`set local rollcall.release_clock`, so the
 * injected clock of the tests and the check agree), else on the database's. The guard is against
 * mistakes, as the trigger of migration 10 is; an owner can always disable it. Frozen: later
 * changes are new migrations.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('release_calendar')
    .addColumn('force_id', 'text', (c) => c.notNull())
    .addColumn('as_of', 'date', (c) => c.notNull())
    .addColumn('release_at', 'timestamptz', (c) => c.notNull())
    // The zone the release was announced in (`09:30 Europe/London`), for showing it back.
    .addColumn('time_zone', 'text', (c) => c.notNull())
    .addColumn('announced_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('released_at', 'timestamptz')
    .addPrimaryKeyConstraint('release_calendar_pkey', ['force_id', 'as_of'])
    .execute();
  await sql`create index release_calendar_due on release_calendar (release_at) where released_at is null`.execute(db);

  await db.schema
    .createTable('pre_release_access')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('token_name', 'text', (c) => c.notNull())
    .addColumn('snapshot_id', 'text', (c) => c.notNull())
    .addColumn('force_id', 'text', (c) => c.notNull())
    .addColumn('as_of', 'date', (c) => c.notNull())
    // The request (method and path with its query), so the log says what was read.
    .addColumn('what', 'text', (c) => c.notNull())
    // The figures seen (null for a list, which shows ids and dates only).
    .addColumn('content_hash', 'text')
    .addColumn('accessed_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('pre_release_access_snapshot')
    .on('pre_release_access')
    .columns(['force_id', 'as_of', 'accessed_at'])
    .execute();

  await sql`
    create or replace function refuse_snapshot_change() returns trigger language plpgsql as $$
    begin
      if tg_op = 'UPDATE' and new.snapshot_id = old.snapshot_id and new.force_id = old.force_id
         and new.as_of = old.as_of and new.revision = old.revision
         and exists (select 1 from release_calendar r
                     where r.force_id = old.force_id and r.as_of = old.as_of
                       and r.release_at > coalesce(nullif(current_setting('rollcall.release_clock', true), '')::timestamptz, now())) then
        return new;
      end if;
      raise exception 'snapshot % is published and cannot be changed (% refused): publish a new revision instead', old.snapshot_id, tg_op
        using errcode = 'integrity_constraint_violation',
              hint = 'snapshots are immutable; a change of inputs is published as revision n+1 (rollcall snapshot --as-of <date>)';
    end
    $$`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('pre_release_access').ifExists().execute();
  await db.schema.dropTable('release_calendar').ifExists().execute();
}
