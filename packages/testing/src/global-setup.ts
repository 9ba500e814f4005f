import { createHash, randomBytes } from 'node:crypto';
import { createDatabase, loadReferenceIntoDatabase, MIGRATIONS, migrateToLatest } from '@rollcall/db';
import { loadReferenceData } from '@rollcall/reference';
import { resolveBackingServices } from '@rollcall/backing-services';
import pg from 'pg';
import type { TestProject } from 'vitest/node';

// The values provided to test files are declared beside the kits that read them
// (@rollcall/db/testing, @rollcall/queue/testing).
import { adminUrlOf, databaseUrlFor } from '@rollcall/db/testing';
import '@rollcall/queue/testing';

/**
 * Once per test run: find PostgreSQL and Redis (environment, local defaults, or containers where
 * Docker runs), and build a template database with every migration and the reference data, named
 * by a hash of both so that a schema change builds a new one. Each test file then clones the
 * template (`createTestDatabase`), which takes tens of milliseconds instead of migrating.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const services = await resolveBackingServices({
    allowContainers: true,
    onProgress: (message) => console.log(message),
  });
  process.env.DATABASE_URL = services.databaseUrl;
  process.env.REDIS_URL = services.redisUrl;

  const reference = loadReferenceData();
  // Over each migration's code, not just its name, so that editing a migration in place (before
  // it is released) rebuilds the template instead of testing against a stale schema.
  const migrationCode = Object.entries(MIGRATIONS).map(
    ([name, migration]) => `${name}\n${migration.up.toString()}\n${migration.down?.toString() ?? ''}`,
  );
  const fingerprint = createHash('sha256')
    .update(migrationCode.join('\n'))
    .update(reference.version)
    .digest('hex')
    .slice(0, 12);
  const template = `rc_tpl_${fingerprint}`;
  const runId = randomBytes(4).toString('hex');

  const admin = new pg.Client({ connectionString: adminUrlOf(services.databaseUrl) });
  // A connection lost mid-query rejects the query; pg's 'error' event after it must not be uncaught.
  admin.on('error', () => undefined);
  await admin.connect();
  try {
    await admin.query(`select pg_advisory_lock(hashtextextended('rollcall:test-template', 0))`);
    const exists = await admin.query('select 1 from pg_database where datname = $1', [template]);
    if (!exists.rowCount) {
      await admin.query(`create database ${template}_building`).catch(async () => {
        await admin.query(`drop database if exists ${template}_building`);
        await admin.query(`create database ${template}_building`);
      });
      const db = createDatabase(databaseUrlFor(services.databaseUrl, `${template}_building`), { maxConnections: 2 });
      try {
        await migrateToLatest(db);
        await loadReferenceIntoDatabase(db, reference);
      } finally {
        await db.destroy();
      }
      await admin.query(`alter database ${template}_building rename to ${template}`);
      await admin.query(`alter database ${template} with is_template true`);
    }
    // Templates of older schemas are of no further use, but a test run of another working copy
    // may still be cloning one: keep the three newest (oids grow with creation), drop the rest.
    const stale = await admin.query<{ datname: string }>(
      `select datname from pg_database where datname like 'rc\\_tpl\\_%' and datname <> $1 and datname not like '%\\_building'
       order by oid desc offset 2`,
      [template],
    );
    for (const { datname } of stale.rows) {
      await admin.query(`alter database ${datname} with is_template false`).catch(() => undefined);
      await admin.query(`drop database if exists ${datname}`).catch(() => undefined);
    }
    await admin.query(`select pg_advisory_unlock(hashtextextended('rollcall:test-template', 0))`);
  } finally {
    await admin.end();
  }

  project.provide('rollcallTemplateDatabase', template);
  project.provide('rollcallRunId', runId);
  project.provide('rollcallDatabaseUrl', services.databaseUrl);
  project.provide('rollcallRedisUrl', services.redisUrl);

  return async () => {
    // Databases of test files that crashed before their own clean-up.
    const client = new pg.Client({ connectionString: adminUrlOf(services.databaseUrl) });
    client.on('error', () => undefined);
    await client.connect();
    try {
      const leftovers = await client.query<{ datname: string }>(
        // rc_t_: Rollcall test databases; rc_q_: the queue package's, for queues on PostgreSQL.
        `select datname from pg_database where datname like $1 or datname like $2`,
        [`rc\\_t\\_${runId}\\_%`, `rc\\_q\\_${runId}\\_%`],
      );
      for (const { datname } of leftovers.rows)
        await client.query(`drop database if exists ${datname} with (force)`).catch(() => undefined);
    } finally {
      await client.end();
    }
    await services.stop();
  };
}
