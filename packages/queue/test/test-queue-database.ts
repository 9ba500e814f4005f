import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import './test-run-context.ts';

export interface TestQueueDatabase {
  readonly url: string;
  /** Drops the database, whoever is still connected. */
  destroy(): Promise<void>;
}

/**
 * An empty PostgreSQL database of a test file's own, for its queues on BullMQ's PostgreSQL
 * backend (which creates its own schema in it). Empty, not a clone of Rollcall's template: the
 * queue package knows nothing of Rollcall's tables, and its tests need none.
 */
export async function createTestQueueDatabase(): Promise<TestQueueDatabase> {
  const baseUrl = new URL(inject('rollcallDatabaseUrl'));
  const name = `rc_q_${inject('rollcallRunId')}_${randomBytes(4).toString('hex')}`;
  const admin = new URL(baseUrl);
  admin.pathname = '/postgres';
  const onAdmin = async (sql: string): Promise<void> => {
    const client = new pg.Client({ connectionString: admin.toString() });
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await onAdmin(`create database ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), destroy: () => onAdmin(`drop database if exists ${name} with (force)`) };
}
