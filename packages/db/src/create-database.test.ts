import { createTestDatabase, type TestDatabase } from '../test/index.ts';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDatabase } from './create-database.ts';

let test: TestDatabase;
// pg emits 'error' on a client whose connection dies; unheard, that is an uncaught exception
// (in a worker, the end of the process). Recorded here, and required to be none.
const uncaught: unknown[] = [];
let onUncaught = () => undefined as void;
const recordUncaught = (error: unknown) => {
  uncaught.push(error);
  onUncaught();
};

beforeAll(async () => {
  process.on('uncaughtException', recordUncaught);
  test = await createTestDatabase();
});
beforeEach(() => {
  uncaught.length = 0;
});
afterAll(async () => {
  await test?.destroy();
  process.off('uncaughtException', recordUncaught);
});

/** A pool whose lost connections are reported, and a promise of the next report (or of an uncaught error). */
function poolWithReports() {
  const reported: Error[] = [];
  let onReport = () => undefined as void;
  const db = createDatabase(test.url, {
    maxConnections: 2,
    onPoolError: (error) => (reported.push(error), onReport()),
  });
  const nextReport = () =>
    new Promise<void>((resolve) => {
      onReport = resolve;
      onUncaught = resolve;
    });
  return { db, reported, nextReport };
}

/** Ends a backend from another connection, as a server restart or an administrator would. */
const terminate = (pid: number) => sql`select pg_terminate_backend(${pid})`.execute(test.db);

describe('a pooled connection that dies', () => {
  it('while checked out, under a running query: the query rejects, the loss is reported once, nothing is uncaught, the pool carries on', async () => {
    const { db, reported, nextReport } = poolWithReports();
    try {
      const report = nextReport();
      const transaction = db.transaction().execute(async (trx) => {
        const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(trx);
        // The query is in flight (sent, unanswered) when its backend is ended.
        await Promise.all([sql`select pg_sleep(30)`.execute(trx), terminate(rows[0]!.pid)]);
      });
      await expect(transaction).rejects.toThrow(/terminat/);
      await report;
      expect(uncaught).toEqual([]);
      expect((await sql<{ one: number }>`select 1 as one`.execute(db)).rows).toEqual([{ one: 1 }]);
      expect(reported).toHaveLength(1);
    } finally {
      await db.destroy();
    }
  });

  it('while idle in the pool: reported once, nothing is uncaught, the pool carries on', async () => {
    const { db, reported, nextReport } = poolWithReports();
    try {
      const { rows } = await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(db);
      const report = nextReport();
      await terminate(rows[0]!.pid);
      await report;
      expect(uncaught).toEqual([]);
      expect((await sql<{ one: number }>`select 1 as one`.execute(db)).rows).toEqual([{ one: 1 }]);
      expect(reported).toHaveLength(1);
    } finally {
      await db.destroy();
    }
  });
});
