import { type Kysely, sql } from 'kysely';

/**
 * A published snapshot never changes (operations.md, "Revisions"): a change is a new revision.
 * Until now that held by convention, since nothing but `insertSnapshot` writes the table; this
 * trigger makes PostgreSQL refuse any UPDATE or DELETE of a row, whoever issues it (a hand-typed
 * fix, a script, a bug), so the same snapshot id always means the same figures.
 *
 * TRUNCATE is left allowed: it empties the whole table (with `cascade`, the heads and the outbox
 * too), which is a reset of the deployment, not an edit of what was published, and the test
 * harness resets its tables that way. Removing one snapshot on purpose takes the table owner
 * disabling the trigger (`alter table snapshots disable trigger snapshots_immutable`), a step
 * that cannot be made by accident.
 *
 * `create or replace`, so that running it again (a test applying it to a database that has it)
 * changes nothing.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create or replace function refuse_snapshot_change() returns trigger language plpgsql as $$
    begin
      raise exception 'snapshot % is published and cannot be changed (% refused): publish a new revision instead', old.snapshot_id, tg_op
        using errcode = 'integrity_constraint_violation',
              hint = 'snapshots are immutable; a change of inputs is published as revision n+1 (rollcall snapshot --as-of <date>)';
    end
    $$`.execute(db);
  await sql`
    create or replace trigger snapshots_immutable
    before update or delete on snapshots
    for each row execute function refuse_snapshot_change()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists snapshots_immutable on snapshots`.execute(db);
  await sql`drop function if exists refuse_snapshot_change()`.execute(db);
}
