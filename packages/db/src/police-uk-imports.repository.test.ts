import { createTestDatabase, type TestDatabase } from '../test/index.ts';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as policeUkRecords from './migrations/2026-12-01-08-police-uk-records.ts';
import {
  findPoliceUkImport,
  listPoliceUkImportRevisions,
  PoliceUkImportBusyError,
  PoliceUkImportConflictError,
  type PoliceUkImportWrite,
  savePoliceUkImport,
  withPoliceUkImportLock,
} from './police-uk-imports.repository.ts';

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => {
  await test.destroy();
});

const JANUARY = { forceId: 'avon-and-somerset', month: '2019-01' };
const first: PoliceUkImportWrite = {
  ...JANUARY,
  fileSha256: 'sha-1',
  rowHashes: ['h1', 'h2', 'h3'],
  rowRecords: [1, 2, 3],
  recordedHashes: ['h1', null, 'h3'],
  appliedHashes: ['h1', null, 'h3'],
  appliedRevisions: [1, null, 1],
  withdrawn: [false, false, false],
  expectedRevision: null,
  change: null,
};

describe('the police.uk import manifest', () => {
  it('stores a first import as revision 1 with every position added in the history', async () => {
    expect(await findPoliceUkImport(test.db, JANUARY)).toBeUndefined();
    const saved = await test.db.transaction().execute((trx) => savePoliceUkImport(trx, first));
    expect(saved).toMatchObject({
      ...JANUARY,
      revision: 1,
      rows: 3,
      rowHashes: ['h1', 'h2', 'h3'],
      recordedHashes: ['h1', null, 'h3'],
    });
    expect(await findPoliceUkImport(test.db, JANUARY)).toEqual(saved);
    expect(await listPoliceUkImportRevisions(test.db, JANUARY)).toMatchObject([
      {
        revision: 1,
        rows: 3,
        fileSha256: 'sha-1',
        changedPositions: [],
        addedPositions: [1, 2, 3],
        removedPositions: [],
      },
    ]);
  });

  it('refuses a second first import of the same month', async () => {
    await expect(savePoliceUkImport(test.db, first)).rejects.toThrow(PoliceUkImportConflictError);
  });

  it('keeps the revision when only what was sent changes, and bumps it for a changed edition', async () => {
    const same = await savePoliceUkImport(test.db, {
      ...first,
      appliedHashes: ['h1', 'h2', 'h3'],
      recordedHashes: ['h1', 'h2', 'h3'],
      appliedRevisions: [1, 1, 1],
      expectedRevision: 1,
    });
    expect(same).toMatchObject({ revision: 1, appliedHashes: ['h1', 'h2', 'h3'] });

    const revised = await savePoliceUkImport(test.db, {
      ...first,
      fileSha256: 'sha-2',
      // Rows 1 and 3 swapped places, row 2 is gone and a new row is record 4.
      rowHashes: ['h3', 'h1', 'h4'],
      rowRecords: [3, 1, 4],
      recordedHashes: ['h1', null, 'h3', 'h4'],
      appliedHashes: ['h1', null, 'h3', 'h4'],
      appliedRevisions: [1, null, 1, 2],
      withdrawn: [false, false, false, false],
      expectedRevision: 1,
      change: { changedPositions: [], addedPositions: [3], removedPositions: [2] },
    });
    expect(revised).toMatchObject({
      revision: 2,
      rows: 3,
      fileSha256: 'sha-2',
      rowRecords: [3, 1, 4],
      appliedRevisions: [1, null, 1, 2],
      withdrawn: [false, false, false, false],
    });
    expect(await findPoliceUkImport(test.db, JANUARY)).toEqual(revised);
    expect(
      (await listPoliceUkImportRevisions(test.db, JANUARY)).map((r) => [
        r.revision,
        r.addedPositions,
        r.removedPositions,
      ]),
    ).toEqual([
      [1, [1, 2, 3], []],
      [2, [3], [2]],
    ]);
  });

  it('refuses a manifest whose positions and records do not add up', async () => {
    const current = (await findPoliceUkImport(test.db, JANUARY))!;
    const write = { ...current, expectedRevision: 2, change: null };
    await expect(savePoliceUkImport(test.db, { ...write, rowRecords: [3, 1] })).rejects.toThrow(
      /police_uk_imports_records/,
    );
    await expect(savePoliceUkImport(test.db, { ...write, withdrawn: [false] })).rejects.toThrow(
      /police_uk_imports_records/,
    );
  });

  it('refuses a write based on a stale revision', async () => {
    const stale = {
      ...first,
      expectedRevision: 1,
      change: { changedPositions: [1], addedPositions: [], removedPositions: [] },
    };
    await expect(savePoliceUkImport(test.db, stale)).rejects.toThrow(new PoliceUkImportConflictError(JANUARY, 1));
    expect((await findPoliceUkImport(test.db, JANUARY))?.revision).toBe(2);
  });

  it('lets one import of a force-month run at a time', async () => {
    const result = await withPoliceUkImportLock(test.db, JANUARY, async () => {
      await expect(withPoliceUkImportLock(test.db, JANUARY, async () => 'inner')).rejects.toThrow(
        PoliceUkImportBusyError,
      );
      // Another month is not blocked.
      return withPoliceUkImportLock(test.db, { ...JANUARY, month: '2019-02' }, async () => 'other month');
    });
    expect(result).toBe('other month');
    // Released afterwards, also when the work throws.
    await expect(
      withPoliceUkImportLock(test.db, JANUARY, async () => Promise.reject(new Error('boom'))),
    ).rejects.toThrow('boom');
    expect(await withPoliceUkImportLock(test.db, JANUARY, async () => 'again')).toBe('again');
  });

  it('reads a manifest written before records were matched by content: position n holds record n, nothing withdrawn', async () => {
    // Back to the schema before migration 2026-12-01-08, a manifest as the importer then wrote it
    // (4 records sent; revision 2 amended record 2 and removed record 4's row), and forward again.
    await policeUkRecords.down(test.db);
    await sql`insert into police_uk_imports (force_id, month, file_sha256, rows, row_hashes, recorded_hashes, applied_hashes, applied_revisions, revision)
      values ('kent', '2019-01', 'sha', 3, '{a,B,c}', '{a,b,c,d}', '{a,B,c,d}', '{1,2,1,1}', 2),
             ('kent', '2019-02', 'sha', 0, '{}', '{}', '{}', '{}', 1)`.execute(test.db);
    await policeUkRecords.up(test.db);
    expect(await findPoliceUkImport(test.db, { forceId: 'kent', month: '2019-01' })).toMatchObject({
      rows: 3,
      rowRecords: [1, 2, 3],
      recordedHashes: ['a', 'b', 'c', 'd'],
      // Record 2's amendment carried no search time: cleared, so the next import amends it again.
      appliedHashes: ['a', null, 'c', 'd'],
      appliedRevisions: [1, 2, 1, 1],
      withdrawn: [false, false, false, false],
    });
    expect(await findPoliceUkImport(test.db, { forceId: 'kent', month: '2019-02' })).toMatchObject({
      rowRecords: [],
      appliedHashes: [],
      withdrawn: [],
    });
  });
});
