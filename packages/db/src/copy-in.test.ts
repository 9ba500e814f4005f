import { once } from 'node:events';
import type { Socket } from 'node:net';
import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/index.ts';
import { copyField, copyIntoTable, NotStorableText } from './copy-in.ts';
import { type BackendIdentity, createDatabase, pooledClientOf } from './create-database.ts';
import type { Database } from './database.ts';
import type { RecordsetColumn } from './json-recordset.ts';

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
  await sql`create table copied (id integer primary key, label text, note text)`.execute(test.db);
});
afterAll(async () => {
  await test.destroy();
});

interface Row {
  id: number;
  label: string;
  note: string | null;
}
const COLUMNS: readonly RecordsetColumn<Row>[] = [
  ['id', 'integer', (row) => row.id],
  ['label', 'text', (row) => row.label],
  ['note', 'text', (row) => row.note],
];
// Every character COPY's text format treats specially, at the start, middle and end of a field.
const AWKWARD: Row[] = [
  { id: 1, label: 'plain', note: null },
  { id: 2, label: 'tab\there', note: '\\N' },
  { id: 3, label: 'line\nbreak\r\n', note: '\\' },
  { id: 4, label: '\\t is not a tab', note: '' },
  { id: 5, label: 'N', note: '\t\n\\\r' },
];
interface SocketInternals {
  _write(this: unknown, chunk: unknown, encoding: unknown, callback: unknown): unknown;
  _writev(this: unknown, chunks: unknown[], callback: unknown): unknown;
}
const defined = <T>(value: T | undefined): T => {
  if (value === undefined) throw new Error('expected a value');
  return value;
};
const stored = async (db: Kysely<Database>) =>
  (await sql<Row>`select id, label, note from copied order by id`.execute(db)).rows;

describe('copyIntoTable', () => {
  it('stores every field exactly as given, nulls as nulls, in the caller transaction', async () => {
    const many = Array.from({ length: 12_345 }, (_, index) => ({ id: 100 + index, label: `row ${index}`, note: null }));
    await test.db.transaction().execute(async (trx) => {
      await copyIntoTable(trx, 'copied', COLUMNS, [...AWKWARD, ...many]);
      // Seen inside the transaction before it commits: the rows went through its own connection.
      expect((await stored(trx as unknown as Kysely<Database>)).length).toBe(AWKWARD.length + many.length);
    });
    const rows = await stored(test.db);
    expect(rows.slice(0, AWKWARD.length)).toEqual(AWKWARD);
    expect(rows.slice(AWKWARD.length)).toEqual(many);
    await sql`truncate copied`.execute(test.db);
  });

  it('rolls back with the transaction, and a duplicate key fails the whole statement', async () => {
    await expect(
      test.db.transaction().execute(async (trx) => {
        await copyIntoTable(trx, 'copied', COLUMNS, AWKWARD);
        throw new Error('caller gives up');
      }),
    ).rejects.toThrow('caller gives up');
    expect(await stored(test.db)).toEqual([]);
    await expect(
      test.db.transaction().execute((trx) => copyIntoTable(trx, 'copied', COLUMNS, [...AWKWARD, AWKWARD[0] as Row])),
    ).rejects.toThrow(/duplicate key value violates unique constraint/);
    expect(await stored(test.db)).toEqual([]);
  });

  it('sends the rows waiting for the server to accept the COPY in one socket write, headers and all', async () => {
    await test.db.transaction().execute(async (trx) => {
      const { rows } = await sql<BackendIdentity>`select pg_backend_pid() as "processId",
        current_database() as database, inet_server_port() as port`.execute(trx);
      const socket = (pooledClientOf(defined(rows[0])) as unknown as { connection: { stream: Socket } }).connection
        .stream;
      // What the socket hands to the kernel: one write per call of `_write`, one per `_writev`.
      const handedOver: number[] = [];
      const { _write: write, _writev: writev } = socket as unknown as SocketInternals;
      const spied = socket as unknown as SocketInternals;
      spied._write = function (chunk, encoding, callback) {
        handedOver.push(1);
        return write.call(this, chunk, encoding, callback);
      };
      spied._writev = function (chunks, callback) {
        handedOver.push(chunks.length);
        return writev.call(this, chunks, callback);
      };
      try {
        await copyIntoTable(trx, 'copied', COLUMNS, AWKWARD);
      } finally {
        spied._write = write;
        spied._writev = writev;
      }
      // Finding the connection's client (a query), the COPY statement, then CopyData's header and
      // rows together, with the end of the copy (CopyDone) when it was ready in the same turn.
      expect(handedOver.length).toBeLessThanOrEqual(3);
      expect(handedOver.at(-1)).toBeGreaterThanOrEqual(2);
      expect(await stored(trx as unknown as Kysely<Database>)).toEqual(AWKWARD);
      await sql`delete from copied`.execute(trx);
    });
  });

  it('finds the pooled connection of a transaction by its backend process id, database and port', async () => {
    await test.db.transaction().execute(async (trx) => {
      const { rows } = await sql<BackendIdentity>`select pg_backend_pid() as "processId",
        current_database() as database, inet_server_port() as port`.execute(trx);
      const backend = rows[0];
      if (backend === undefined) throw new Error('no backend identity');
      const client = pooledClientOf(backend);
      expect(client).toBeDefined();
      // The same process id on another database or port (another server's) is not this connection.
      expect(pooledClientOf({ ...backend, database: `${backend.database}_elsewhere` })).toBeUndefined();
      expect(pooledClientOf({ ...backend, port: (backend.port ?? 5432) + 1 })).toBeUndefined();
      expect(pooledClientOf({ ...backend, port: null })).toBe(client);
      // The client found is in the same transaction: it sees what the transaction has not committed.
      await sql`insert into copied (id, label) values (9, 'uncommitted')`.execute(trx);
      const seen = await client?.query('select label from copied where id = 9');
      expect(seen?.rows).toEqual([{ label: 'uncommitted' }]);
      await sql`delete from copied`.execute(trx);
    });
    expect(pooledClientOf({ processId: -1, database: 'postgres', port: null })).toBeUndefined();
  });

  it('forgets a pool client once the pool ends', async () => {
    const other = createDatabase(test.url, { maxConnections: 1 });
    const { rows } = await sql<BackendIdentity>`select pg_backend_pid() as "processId",
      current_database() as database, inet_server_port() as port`.execute(other);
    const backend = rows[0];
    const client = backend === undefined ? undefined : pooledClientOf(backend);
    if (backend === undefined || client === undefined) throw new Error('no pooled client for the backend');
    const ended = once(client, 'end');
    await other.destroy();
    await ended;
    expect(pooledClientOf(backend)).toBeUndefined();
  });

  it('falls back to a recordset insert on a database not made by createDatabase, with the same rows', async () => {
    const pool = new pg.Pool({ connectionString: test.url, max: 1 });
    const foreign = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    try {
      await foreign.transaction().execute((trx) => copyIntoTable(trx, 'copied', COLUMNS, AWKWARD));
      expect(await stored(test.db)).toEqual(AWKWARD);
    } finally {
      await foreign.destroy();
      await sql`truncate copied`.execute(test.db);
    }
  });

  it('refuses to copy through a transaction that has ended: its connection may be back in the pool', async () => {
    let ended: Transaction<Database> | undefined;
    await test.db.transaction().execute(async (trx) => {
      await copyIntoTable(trx, 'copied', COLUMNS, [AWKWARD[0] as Row]);
      ended = trx;
    });
    await expect(copyIntoTable(ended as Transaction<Database>, 'copied', COLUMNS, [AWKWARD[1] as Row])).rejects.toThrow(
      /the transaction is not open/,
    );
    expect(await stored(test.db)).toEqual([AWKWARD[0]]);
    await sql`truncate copied`.execute(test.db);
  });

  it('refuses a table or column name it would have to quote', async () => {
    await expect(
      test.db.transaction().execute((trx) => copyIntoTable(trx, 'copied; drop table copied', COLUMNS, AWKWARD)),
    ).rejects.toThrow(RangeError);
  });
});

describe('copyField', () => {
  it('escapes the characters that end or escape a field, and writes null as \\N', () => {
    expect(copyField(null)).toBe('\\N');
    expect(copyField('\\N')).toBe('\\\\N');
    expect(copyField('a\tb\nc\rd\\e')).toBe('a\\tb\\nc\\rd\\\\e');
    expect(copyField(42)).toBe('42');
    expect(copyField('2024-03-01')).toBe('2024-03-01');
  });

  it('writes an object as its JSON text with only the backslashes doubled (JSON escapes the rest)', () => {
    // JSON.stringify writes tab, quote, backslash and newline as \t, \", \\ and \n: each backslash doubled.
    expect(copyField({ a: 'tab\there "q" \\ line\n' })).toBe(String.raw`{"a":"tab\\there \\"q\\" \\\\ line\\n"}`);
    expect(copyField({ plain: [1, 'two'] })).toBe('{"plain":[1,"two"]}');
    expect(copyField(undefined)).toBe('\\N');
  });

  it('refuses text with a lone surrogate, as PostgreSQL refuses it (22021), and keeps a pair', () => {
    for (const text of ['a\ud800b', 'tab\t\udc00', '\ud83d']) {
      expect(() => copyField(text)).toThrow(NotStorableText);
      expect(() => copyField(text)).toThrow(expect.objectContaining({ code: '22021' }));
    }
    expect(copyField('smile \ud83d\ude00\tok')).toBe('smile \ud83d\ude00\\tok');
    // In JSON it is an escape, plain ASCII: PostgreSQL judges it (a json column keeps it).
    expect(copyField({ lone: '\ud800' })).toBe('{"lone":"\\\\ud800"}');
  });
});
