import { randomBytes } from 'node:crypto';
import { createDatabase, type Db, loadReferenceIntoDatabase, migrateUpTo } from '../src/index.ts';
import { loadReferenceData } from '@rollcall/reference';
import pg from 'pg';
import { inject } from 'vitest';
import { adminUrlOf, databaseUrlFor } from './test-run-context.ts';

export interface TestDatabase {
  readonly name: string;
  readonly url: string;
  readonly db: Db;
  /** Closes the pool and drops the database. */
  destroy(): Promise<void>;
}

const cloneFromTemplate = async (admin: pg.Client, name: string, template: string): Promise<void> => {
  // Two clones of one template started at the same instant can collide on the template's lock;
  // the second gets "being accessed by other users" and simply tries again.
  for (let attempt = 1; ; attempt++) {
    try {
      await admin.query(`create database ${name} template ${template}`);
      return;
    } catch (error) {
      if (attempt >= 20 || !String((error as Error).message).includes('being accessed by other users')) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
};

/**
 * A fresh database migrated only up to `migration` (inclusive), with the reference data: the
 * schema an older release left, for a test that migrates a database with its history.
 */
export async function createTestDatabaseMigratedTo(migration: string): Promise<TestDatabase> {
  const { baseUrl, name } = await createNamedDatabase((admin, name) => admin.query(`create database ${name}`));
  return openTestDatabase(baseUrl, name, async (db) => {
    await migrateUpTo(db, migration);
    await loadReferenceIntoDatabase(db, loadReferenceData());
  });
}

/** A fresh database for one test file: a clone of the migrated template, with reference data. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const { baseUrl, name } = await createNamedDatabase((admin, name) =>
    cloneFromTemplate(admin, name, inject('rollcallTemplateDatabase')),
  );
  return openTestDatabase(baseUrl, name);
}

/** Names a database of this run and creates it with `create`, on an admin connection. */
async function createNamedDatabase(
  create: (admin: pg.Client, name: string) => Promise<unknown>,
): Promise<{ baseUrl: string; name: string }> {
  const baseUrl = inject('rollcallDatabaseUrl');
  const name = `rc_t_${inject('rollcallRunId')}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrlOf(baseUrl) });
  // A connection lost mid-query rejects the query; pg's 'error' event after it must not be uncaught.
  admin.on('error', () => undefined);
  await admin.connect();
  try {
    await create(admin, name);
  } finally {
    await admin.end();
  }
  return { baseUrl, name };
}

async function openTestDatabase(
  baseUrl: string,
  name: string,
  prepare?: (db: Db) => Promise<void>,
): Promise<TestDatabase> {
  const url = databaseUrlFor(baseUrl, name);
  const db = createDatabase(url, { maxConnections: 8, applicationName: 'rollcall-test' });
  const destroy = async () => {
    await db.destroy();
    const client = new pg.Client({ connectionString: adminUrlOf(baseUrl) });
    client.on('error', () => undefined);
    await client.connect();
    try {
      await client.query(`drop database if exists ${name} with (force)`);
    } finally {
      await client.end();
    }
  };
  if (prepare !== undefined) {
    try {
      await prepare(db);
    } catch (error) {
      await destroy();
      throw error;
    }
  }
  return { name, url, db, destroy };
}
