import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './database.ts';

// pg returns int8 as a string because it can exceed 2^53. Every bigint here is a count or a sum
// of milliseconds far below 2^53 (9e15 ms is 285,000 years), so numbers are honest.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => {
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw new RangeError(`int8 ${value} exceeds the safe integer range`);
  return number;
});
// A `date` is a calendar day; pg would turn it into a Date at local midnight of the process.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

export interface CreateDatabaseOptions {
  /** Pool size; each worker job holds one connection for its transaction. */
  readonly maxConnections?: number;
  readonly applicationName?: string;
  /** Called when an idle pooled connection fails (PostgreSQL restarted); the pool replaces it. */
  readonly onPoolError?: (error: Error) => void;
}

export function createDatabase(connectionString: string, options: CreateDatabaseOptions = {}): Kysely<Database> {
  const pool = new pg.Pool({
    connectionString,
    max: options.maxConnections ?? 10,
    application_name: options.applicationName ?? 'rollcall',
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  });
  // Without a listener an idle client's error (a server restart) is an uncaught exception.
  pool.on('error', (error) => options.onPoolError?.(error));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** Creates the database named in `connectionString` if it does not exist (for `migrate` and the demo). */
export async function ensureDatabaseExists(connectionString: string): Promise<{ created: boolean; name: string }> {
  const url = new URL(connectionString);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new Error(`database name ${JSON.stringify(name)} must be letters, digits, _ or -`);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount) return { created: false, name };
    try {
      await client.query(`create database "${name}"`);
    } catch (error) {
      // Another process created it between the check and the create.
      if ((error as { code?: string }).code !== '42P04') throw error;
      return { created: false, name };
    }
    return { created: true, name };
  } finally {
    await client.end();
  }
}
