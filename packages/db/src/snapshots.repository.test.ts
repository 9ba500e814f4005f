import { createTestDatabase, type TestDatabase } from '../test/index.ts';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as immutableSnapshots from './migrations/2026-12-01-10-immutable-snapshots.ts';
import { findSnapshot, findSnapshotHead, insertSnapshot, type StoredSnapshot } from './snapshots.repository.ts';

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
  // The migration is idempotent (`create or replace`): applied here too, the test holds whether or
  // not the template database already has it.
  await immutableSnapshots.up(test.db);
});
afterAll(async () => {
  await test.destroy();
});

const snapshot = (revision: number, supersedes: string | null): StoredSnapshot => ({
  snapshotId: `kent_2022-03-31_r${revision}`,
  forceId: 'kent',
  asOf: '2022-03-31',
  revision,
  supersedes,
  contentHash: `hash-${revision}`,
  generatedAt: new Date(`2022-04-0${revision}T02:30:00Z`),
  document: {
    snapshotId: `kent_2022-03-31_r${revision}`,
    measures: [{ measureId: 'dvpo.applied', value: 10 + revision }],
  },
});

describe('insertSnapshot', () => {
  it('adds a revision and moves the head to it, leaving the revision before as it was', async () => {
    await insertSnapshot(test.db, snapshot(1, null));
    await insertSnapshot(test.db, snapshot(2, 'kent_2022-03-31_r1'));
    expect(await findSnapshotHead(test.db, 'kent', '2022-03-31')).toEqual({
      forceId: 'kent',
      asOf: '2022-03-31',
      snapshotId: 'kent_2022-03-31_r2',
      revision: 2,
      contentHash: 'hash-2',
      staleSince: null,
      staleLateEvents: 0,
      staleCorrectedEvents: 0,
    });
    expect(await findSnapshot(test.db, 'kent_2022-03-31_r1')).toEqual(snapshot(1, null));
  });
});

describe('a published snapshot', () => {
  it('cannot be updated, whatever the column', async () => {
    const attempts = [
      test.db
        .updateTable('snapshots')
        .set({ document: JSON.stringify({ measures: [] }) })
        .where('snapshot_id', '=', 'kent_2022-03-31_r1')
        .execute(),
      test.db.updateTable('snapshots').set({ content_hash: 'forged', revision: 9 }).where('revision', '=', 1).execute(),
    ];
    for (const attempt of attempts) {
      await expect(attempt).rejects.toMatchObject({
        message:
          'snapshot kent_2022-03-31_r1 is published and cannot be changed (UPDATE refused): publish a new revision instead',
        code: '23000',
      });
    }
    expect(await findSnapshot(test.db, 'kent_2022-03-31_r1')).toEqual(snapshot(1, null));
    expect(await findSnapshot(test.db, 'kent_2022-03-31_r2')).toEqual(snapshot(2, 'kent_2022-03-31_r1'));
  });

  it('cannot be deleted', async () => {
    await expect(
      sql`delete from snapshots where snapshot_id = 'kent_2022-03-31_r2'`.execute(test.db),
    ).rejects.toMatchObject({
      message:
        'snapshot kent_2022-03-31_r2 is published and cannot be changed (DELETE refused): publish a new revision instead',
    });
    expect(
      (await test.db.selectFrom('snapshots').select('snapshot_id').orderBy('snapshot_id').execute()).map(
        (row) => row.snapshot_id,
      ),
    ).toEqual(['kent_2022-03-31_r1', 'kent_2022-03-31_r2']);
  });

  it('goes only when the whole table is emptied on purpose (truncate, as the test harness resets it)', async () => {
    await sql`truncate snapshot_heads, snapshots cascade`.execute(test.db);
    expect(await test.db.selectFrom('snapshots').select('snapshot_id').execute()).toEqual([]);
  });
});
