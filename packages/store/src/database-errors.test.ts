import { createDatabase } from '@rollcall/db';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { isDatabaseUnreachable } from './database-errors.ts';

const withCode = (code: string, message = 'from the server') => Object.assign(new Error(message), { code });

describe('isDatabaseUnreachable', () => {
  it('recognises connection exceptions, a restarting server, sockets and pg losing its connection', () => {
    for (const error of [
      withCode('08006', 'connection failure'),
      withCode('08001'),
      withCode('57P01', 'terminating connection due to administrator command'),
      withCode('57P02', 'terminating connection due to crash of another server process'),
      withCode('57P03', 'the database system is starting up'),
      withCode('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:5432'),
      withCode('ECONNRESET', 'read ECONNRESET'),
      new Error('Connection terminated unexpectedly'),
      new Error('Connection terminated due to connection timeout'),
      new Error('timeout exceeded when trying to connect'),
      new Error('Client has encountered a connection error and is not queryable'),
      new Error('while storing part 2', { cause: withCode('57P01') }),
    ]) {
      expect([error.message, isDatabaseUnreachable(error)]).toEqual([error.message, true]);
    }
  });

  it('leaves errors about the data, conflicts and bugs to the job retries', () => {
    for (const error of [
      withCode('23505', 'duplicate key value violates unique constraint'),
      withCode('22P02', 'invalid input syntax'),
      withCode('40P01', 'deadlock detected'),
      withCode('42P01', 'relation "events" does not exist'),
      withCode('57014', 'canceling statement due to statement timeout'),
      withCode('53300', 'sorry, too many clients already'),
      new Error('Cannot read properties of undefined'),
    ]) {
      expect([error.message, isDatabaseUnreachable(error)]).toEqual([error.message, false]);
    }
    expect(isDatabaseUnreachable('Connection terminated')).toBe(false);
    expect(isDatabaseUnreachable(undefined)).toBe(false);
  });

  it('recognises what the pool really throws when nothing listens', async () => {
    // Port 1: nothing listens there.
    const db = createDatabase('postgres://postgres@127.0.0.1:1/rollcall', { maxConnections: 1 });
    try {
      const error = await sql`select 1`.execute(db).then(
        () => undefined,
        (err: unknown) => err,
      );
      expect(error).toBeInstanceOf(Error);
      expect(isDatabaseUnreachable(error)).toBe(true);
    } finally {
      await db.destroy();
    }
  });
});
