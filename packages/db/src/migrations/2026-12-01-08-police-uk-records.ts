import { type Kysely, sql } from 'kysely';

/**
 * data.police.uk records are no longer their rows' positions: a new edition of a month is matched
 * to the records by row content, so a row inserted mid-file no longer shifts every later search
 * onto its neighbour's record, and a row the new edition lacks is withdrawn. The manifest keeps
 * which record each position of the latest edition holds, and which records were withdrawn.
 *
 * Every manifest written before this migration had position i holding record i, and withdrew
 * nothing (its removed positions stayed counted): that is what the defaults below say, so the next
 * import of such a month withdraws those rows. Its amendments carried no search time, so a record
 * it amended (recorded hash other than applied hash) may count on another row's day: its applied
 * hash is cleared, and the next import of the month amends it again, with the row's time.
 * Frozen: later changes are new migrations.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('police_uk_imports')
    // row_records[i]: the record (the n of `pu-<force>-<month>-<n>`) that position i of the latest
    // edition holds. Distinct, and at most the number of records (cardinality of applied_hashes).
    .addColumn('row_records', sql`integer[]`)
    // withdrawn[n]: the latest event sent for record n was a withdrawal (it counts nothing). Per
    // record, like recorded_hashes and applied_hashes.
    .addColumn('withdrawn', sql`boolean[]`)
    .execute();
  await sql`
    update police_uk_imports set
      row_records = array(select generate_series(1, rows)),
      withdrawn = array_fill(false, array[cardinality(applied_hashes)]),
      applied_hashes = array(
        select case when recorded is distinct from applied then null else applied end
        from unnest(recorded_hashes, applied_hashes) with ordinality as sent(recorded, applied, n)
        order by n)`.execute(db);
  await db.schema
    .alterTable('police_uk_imports')
    .alterColumn('row_records', (c) => c.setNotNull())
    .alterColumn('withdrawn', (c) => c.setNotNull())
    .execute();
  await db.schema
    .alterTable('police_uk_imports')
    .addCheckConstraint(
      'police_uk_imports_records',
      sql`cardinality(row_records) = rows and cardinality(withdrawn) = cardinality(applied_hashes)`,
    )
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('police_uk_imports').dropConstraint('police_uk_imports_records').execute();
  await db.schema.alterTable('police_uk_imports').dropColumn('row_records').dropColumn('withdrawn').execute();
}
