import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { sql, type Transaction } from 'kysely';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { type BackendIdentity, pooledClientOf } from './create-database.ts';
import type { Database } from './database.ts';
import { jsonRecordset, type RecordsetColumn } from './json-recordset.ts';

/** Rows per piece of COPY text handed to the connection: a few hundred kB. */
const ROWS_PER_PIECE = 5_000;

/**
 * Inserts `rows` into `table` inside `trx` with `COPY ... FROM STDIN` on the transaction's own
 * connection, so the rows commit or roll back with the rest of it. Plain inserts: a row whose key
 * is stored already fails the whole statement, as an `INSERT` would.
 *
 * Why (issue 19): a first replay over years of history adds some 800,000 aggregate rows. As
 * `json_to_recordset` parameters PostgreSQL took 7.2 µs per row (psql, 178,858 daily rows, the
 * JSON lexed twice) and this process about 3 more to build the JSON; by COPY 3.5.
 *
 * Kysely does not speak COPY, so the connection's pg client is found by its backend's process id,
 * database and port (`pooledClientOf`). When it cannot be (a database not made by `createDatabase`), the rows go in
 * by one `json_to_recordset` insert per 50,000 instead: the same rows, slower.
 *
 * `asText` writes the rows' COPY text, fields in `columns`' order; by default each field is read
 * through its column. A hot path may write its rows out itself (`insertNewEvents`).
 */
export async function copyIntoTable<R>(
  trx: Transaction<Database>,
  table: string,
  columns: readonly RecordsetColumn<R>[],
  rows: readonly R[],
  asText: (rows: readonly R[]) => Iterable<string> = (all) => copyText(all, columns),
): Promise<void> {
  if (await copyIntoTableDirectly(trx, table, columns, rows, asText)) return;
  for (let start = 0; start < rows.length; start += 50_000)
    await sql`insert into ${sql.table(table)} (${sql.join(columns.map(([name]) => sql.ref(name)))})
      select * from ${jsonRecordset(rows.slice(start, start + 50_000), columns)}`.execute(trx);
}

/**
 * `copyIntoTable` without its fallback: tells whether it could copy, and when it could not (the
 * connection's pg client cannot be found) it has sent nothing, for a caller that would rather do
 * something else then (`insertNewEvents` claims its events' ids by a statement instead).
 */
export async function copyIntoTableDirectly<R>(
  trx: Transaction<Database>,
  table: string,
  columns: readonly RecordsetColumn<R>[],
  rows: readonly R[],
  asText: (rows: readonly R[]) => Iterable<string> = (all) => copyText(all, columns),
): Promise<boolean> {
  if (rows.length === 0) return true;
  return copyTextIntoTable(
    trx,
    table,
    columns.map(([name]) => name),
    asText(rows),
  );
}

/**
 * Sends `pieces` of COPY text (rows of `columns`, in order) into `table` on `trx`'s own
 * connection, and tells whether it could: false, having sent nothing, when the connection's pg
 * client cannot be found (a database not made by `createDatabase`).
 */
async function copyTextIntoTable(
  trx: Transaction<Database>,
  table: string,
  columns: readonly string[],
  pieces: Iterable<string>,
): Promise<boolean> {
  if (!/^[a-z_][a-z0-9_]*$/.test(table) || columns.some((name) => !/^[a-z_][a-z0-9_]*$/.test(name)))
    throw new RangeError(`copyIntoTable: ${table} (${columns.join(', ')}) is not a plain identifier`);
  const client = await clientOf(trx);
  if (client === undefined) return false;
  // COPY goes to the connection past Kysely, which would refuse a transaction already ended: a
  // connection back in the pool ('I') would take the rows outside any transaction, or in another's.
  if (client.getTransactionStatus() !== 'T')
    throw new Error(
      `copyTextIntoTable: the transaction is not open (connection status ${client.getTransactionStatus()})`,
    );
  const copy = copyStreams.from(`copy ${table} (${columns.join(', ')}) from stdin`);
  sendEachFlushInOneWrite(copy);
  await pipeline(Readable.from(pieces), client.query(copy));
  return true;
}

/**
 * pg-copy-streams writes each piece as two socket writes (its 5-byte CopyData header, then the
 * piece): on loopback with Nagle off that is two segments, and PostgreSQL is woken for the
 * header alone. The connection's socket is corked while the pieces waiting for the server's
 * CopyInResponse are flushed, so they leave in one write.
 */
function sendEachFlushInOneWrite(copy: ReturnType<typeof copyStreams.from>): void {
  const copyInResponse = (copy as unknown as CopyInResponseHandler).handleCopyInResponse;
  (copy as unknown as CopyInResponseHandler).handleCopyInResponse = function (connection) {
    const socket = connection.stream;
    socket.cork();
    try {
      copyInResponse.call(this, connection);
    } finally {
      process.nextTick(() => socket.uncork());
    }
  };
}

interface CopyInResponseHandler {
  handleCopyInResponse(this: unknown, connection: { stream: Socket }): void;
}

/**
 * The pg client of each transaction, once asked: a worker's transaction copies its events and
 * then, under its shard locks, its new entities, and the second COPY should not wait for a
 * round trip more while other transactions wait for those locks. A transaction keeps its one
 * connection for its whole life, so the answer stays true.
 */
const transactionClients = new WeakMap<Transaction<Database>, pg.Client | undefined>();

async function clientOf(trx: Transaction<Database>): Promise<pg.Client | undefined> {
  if (transactionClients.has(trx)) return transactionClients.get(trx);
  const { rows: found } = await sql<BackendIdentity>`select pg_backend_pid() as "processId",
    current_database() as database, inet_server_port() as port`.execute(trx);
  const client = found[0] === undefined ? undefined : pooledClientOf(found[0]);
  transactionClients.set(trx, client);
  return client;
}

/** COPY's text format, a piece at a time: fields separated by tabs, rows ended by newlines. */
function* copyText<R>(rows: readonly R[], columns: readonly RecordsetColumn<R>[]): Generator<string> {
  for (let start = 0; start < rows.length; start += ROWS_PER_PIECE) {
    let piece = '';
    const end = Math.min(rows.length, start + ROWS_PER_PIECE);
    for (let index = start; index < end; index++) {
      const row = rows[index] as R;
      for (let column = 0; column < columns.length; column++) {
        if (column > 0) piece += '\t';
        piece += copyField((columns[column] as RecordsetColumn<R>)[2](row));
      }
      piece += '\n';
    }
    yield piece;
  }
}

/** What COPY's text format escapes, and surrogates (either half of a pair), both rare: one scan finds both. */
const NEEDS_A_LOOK = /[\\\t\n\r\ud800-\udfff]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const TO_ESCAPE = /[\\\t\n\r]/g;
const escapeOf = (c: string) => (c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r');

/**
 * JSON text as one field in COPY's text format. JSON text never holds a raw tab, newline or
 * carriage return (JSON.stringify escapes them): only its backslashes need doubling, and a plain
 * search finds them faster than a regex.
 */
export const copyJsonText = (json: string): string => (json.includes('\\') ? json.replaceAll('\\', '\\\\') : json);

/** One field in COPY's text format: `\N` for null, and the four characters that would end or escape it escaped. */
export function copyField(value: unknown): string {
  if (value === null || value === undefined) return '\\N';
  if (typeof value === 'object') return copyJsonText(JSON.stringify(value));
  const text = typeof value === 'string' ? value : String(value);
  if (!NEEDS_A_LOOK.test(text)) return text;
  if (LONE_SURROGATE.test(text)) throw new NotStorableText(text);
  return text.replace(TO_ESCAPE, escapeOf);
}

/**
 * Text with a lone UTF-16 surrogate: turned into bytes for COPY it would become U+FFFD and be
 * stored changed, where a parameter is refused by PostgreSQL. Refused here instead, with the
 * SQLSTATE PostgreSQL gives text it cannot hold (22021), so callers treat it as they treat
 * PostgreSQL's refusal of a value (the store isolates the event). JSON text needs no check:
 * `JSON.stringify` writes a lone surrogate as an escape (`\ud800`), plain ASCII, which a `json`
 * column keeps as written and a `jsonb` one refuses, by COPY as from a parameter.
 */
export class NotStorableText extends Error {
  readonly code = '22021';
  constructor(text: string) {
    super(`text holds a lone UTF-16 surrogate, which PostgreSQL cannot store: ${JSON.stringify(text.slice(0, 40))}`);
    this.name = 'NotStorableText';
  }
}
