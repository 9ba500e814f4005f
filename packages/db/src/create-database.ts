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
  /**
   * Called when a pooled connection fails (PostgreSQL restarted, the network path cut), once per
   * connection, whether it was idle or checked out; the pool replaces it.
   */
  readonly onPoolError?: (error: Error) => void;
}

/** How each database made by `createDatabase` connects, for connections of its own outside the pool. */
const clientConfigs = new WeakMap<Kysely<Database>, pg.ClientConfig>();

/**
 * Every open pooled connection of every database made here, by its backend's process id: Kysely
 * hands a transaction one pooled connection but no way to reach it, and `COPY ... FROM STDIN` needs
 * the pg client itself (`copyIntoTable`). A process id is unique on one server; two servers may
 * reuse one, which `pooledClientOf` refuses to guess between.
 */
const pooledClients = new Map<number, Set<pg.Client>>();

export function createDatabase(connectionString: string, options: CreateDatabaseOptions = {}): Kysely<Database> {
  const clientConfig: pg.ClientConfig = {
    connectionString,
    application_name: options.applicationName ?? 'rollcall',
    connectionTimeoutMillis: 5_000,
  };
  const pool = new pg.Pool({ ...clientConfig, max: options.maxConnections ?? 10, idleTimeoutMillis: 30_000 });
  // Each failed connection is reported once, though pg may emit several errors for it
  // (ECONNRESET, then "Connection terminated unexpectedly") through either listener below.
  const reported = new WeakSet<object>();
  const report = (client: object, error: Error) => {
    if (reported.has(client)) return;
    reported.add(client);
    options.onPoolError?.(error);
  };
  // An idle client's error (a server restart): without a listener, an uncaught exception.
  pool.on('error', (error, client) => report(client, error));
  // pg-pool listens for 'error' on idle clients only: it takes its listener off a client it hands
  // out (a worker's job transaction, the nightly lock's reserved connection). When the socket of
  // such a client dies, pg rejects the query it was running, which is how the caller learns of
  // it (the feed workers' outage gate treats it as an outage), and then emits 'error' on the
  // client. Unheard, that 'error' is an uncaught exception that ends the whole process mid-job
  // (issue 15, "faults in flight"). So every client gets a listener of its own for its whole
  // life; when the client is released, pg-pool sees it is no longer queryable and discards it.
  const checkedOut = new WeakSet<object>();
  pool.on('acquire', (client) => checkedOut.add(client));
  pool.on('release', (_error, client) => checkedOut.delete(client));
  pool.on('connect', (client) => {
    const processId = processIdOf(client);
    if (processId !== undefined) {
      pooledClients.set(processId, (pooledClients.get(processId) ?? new Set()).add(client));
      // Its connection closed, however (the pool ending or discarding it, the server gone).
      client.once('end', () => {
        const sharing = pooledClients.get(processId);
        sharing?.delete(client);
        if (sharing?.size === 0) pooledClients.delete(processId);
      });
    }
    client.on('error', (error) => {
      // An idle client's error reaches the pool's listener above.
      if (checkedOut.has(client)) report(client, error);
    });
  });
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  clientConfigs.set(db, clientConfig);
  return db;
}

/**
 * How `db` (made by `createDatabase`) connects, as plain data: for a worker thread to make a
 * database of its own to the same server (a replay lane, `startReplayLane`).
 */
export function connectionSettingsOf(db: Kysely<Database>): { connectionString: string; applicationName: string } {
  const config = clientConfigs.get(db);
  if (config?.connectionString === undefined)
    throw new Error('connectionSettingsOf: the database was not made by createDatabase');
  return { connectionString: config.connectionString, applicationName: config.application_name ?? 'rollcall' };
}

/**
 * A connection of its own to the database of `db`, outside its pool, for a protocol Kysely does
 * not speak (COPY ... TO STDOUT). Outside the pool, so a caller that already holds pooled
 * connections cannot wait on itself for one more. The caller ends it.
 */
export async function connectOutsidePool(db: Kysely<Database>): Promise<pg.Client> {
  const config = clientConfigs.get(db);
  if (config === undefined) throw new Error('connectOutsidePool: the database was not made by createDatabase');
  const client = new pg.Client(config);
  // A socket error after the query that failed (pg emits both) must not be an uncaught exception.
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/** The backend's process id, which pg keeps from the server's greeting (not in its typings; Kysely reads it too). */
const processIdOf = (client: pg.Client): number | undefined => (client as pg.Client & { processID?: number }).processID;

/** Who a connection is, as its own backend says (`select pg_backend_pid(), current_database(), inet_server_port()`). */
export interface BackendIdentity {
  readonly processId: number;
  readonly database: string;
  /** Null over a Unix socket. */
  readonly port: number | null;
}

/**
 * The pg client of the pooled connection whose backend is `backend` (asked through that
 * connection), for a protocol Kysely does not speak inside its transaction. Undefined when no
 * pooled connection, or more than one (of two servers), has that process id, or when the one that
 * has it is connected to another database or port: a connection of a pool not made here (whose
 * clients are not registered) may share a process id with a registered client of another server.
 */
export function pooledClientOf(backend: BackendIdentity): pg.Client | undefined {
  const sharing = pooledClients.get(backend.processId);
  if (sharing?.size !== 1) return undefined;
  const client: pg.Client | undefined = sharing.values().next().value;
  if (client === undefined || client.database !== backend.database) return undefined;
  if (backend.port !== null && client.port !== backend.port) return undefined;
  return client;
}

/** Creates the database named in `connectionString` if it does not exist (for `migrate` and the demo). */
export async function ensureDatabaseExists(connectionString: string): Promise<{ created: boolean; name: string }> {
  const url = new URL(connectionString);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_-]+$/.test(name))
    throw new Error(`database name ${JSON.stringify(name)} must be letters, digits, _ or -`);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 5_000 });
  // A connection lost mid-query rejects the query (reported by the caller); pg then also emits
  // 'error', which without a listener would be an uncaught exception instead.
  client.on('error', () => undefined);
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

/**
 * Drops the database named in `connectionString` (closing its connections) and creates it empty:
 * for the demo, whose every run starts from nothing. Only a plain lower-case identifier is
 * accepted, since the name is part of the statement.
 */
export async function recreateDatabase(connectionString: string): Promise<void> {
  const url = new URL(connectionString);
  const name = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name))
    throw new RangeError(`database name ${JSON.stringify(name)} is not a plain identifier`);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: 5_000 });
  // A connection lost mid-query rejects the query; pg's 'error' event after it must not be uncaught.
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(`drop database if exists ${name} with (force)`);
    await client.query(`create database ${name}`);
  } finally {
    await client.end();
  }
}
