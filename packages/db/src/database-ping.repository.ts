import { sql } from 'kysely';
import type { Db } from './database.ts';

/** `select 1`: the cheapest proof that PostgreSQL answers (the readiness probe). */
export async function pingDatabase(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}
