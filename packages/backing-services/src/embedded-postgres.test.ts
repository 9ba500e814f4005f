import { rm } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { expect, test } from 'vitest';
import { startEmbeddedPostgres } from './embedded-postgres.ts';

// Under the repository's var/ (not the system temp folder, whose 0700 folders the `postgres`
// user PostgreSQL switches to as root could not enter).
const dir = path.resolve(import.meta.dirname, '../../../var/test-embedded-postgres', String(process.pid));

test('starts a real PostgreSQL as root, keeps its data between starts, and stops it', async () => {
  await rm(dir, { recursive: true, force: true });
  try {
    const first = await startEmbeddedPostgres({ dir });
    expect(first.created).toBe(true);
    const client = new pg.Client({ connectionString: first.url });
    await client.connect();
    const { rows } = await client.query<{ server_version: string }>('show server_version');
    await client.query('create table kept (n int)');
    await client.end();
    expect(rows[0]?.server_version).toMatch(/^17\./);
    await first.stop();

    const second = await startEmbeddedPostgres({ dir });
    expect(second.created).toBe(false);
    const again = new pg.Client({ connectionString: second.url });
    await again.connect();
    const kept = await again.query(`select to_regclass('kept') as t`);
    await again.end();
    await second.stop();
    expect(kept.rows[0]).toEqual({ t: 'kept' });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}, 60_000);
