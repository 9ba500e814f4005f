import { createTestDatabase, type TestDatabase } from '@rollcall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
  recordedHashes: ['h1', null, 'h3'],
  appliedHashes: ['h1', null, 'h3'],
  appliedRevisions: [1, null, 1],
  expectedRevision: null,
  change: null,
};

describe('the police.uk import manifest', () => {
  it('stores a first import as revision 1 with every position added in the history', async () => {
    expect(await findPoliceUkImport(test.db, JANUARY)).toBeUndefined();
    const saved = await test.db.transaction().execute((trx) => savePoliceUkImport(trx, first));
    expect(saved).toMatchObject({ ...JANUARY, revision: 1, rows: 3, rowHashes: ['h1', 'h2', 'h3'], recordedHashes: ['h1', null, 'h3'] });
    expect(await findPoliceUkImport(test.db, JANUARY)).toEqual(saved);
    expect(await listPoliceUkImportRevisions(test.db, JANUARY)).toMatchObject([
      { revision: 1, rows: 3, fileSha256: 'sha-1', changedPositions: [], addedPositions: [1, 2, 3], removedPositions: [] },
    ]);
  });

  it('refuses a second first import of the same month', async () => {
    await expect(savePoliceUkImport(test.db, first)).rejects.toThrow(PoliceUkImportConflictError);
  });

  it('keeps the revision when only what was sent changes, and bumps it for a changed edition', async () => {
    const same = await savePoliceUkImport(test.db, { ...first, appliedHashes: ['h1', 'h2', 'h3'], recordedHashes: ['h1', 'h2', 'h3'], appliedRevisions: [1, 1, 1], expectedRevision: 1 });
    expect(same).toMatchObject({ revision: 1, appliedHashes: ['h1', 'h2', 'h3'] });

    const revised = await savePoliceUkImport(test.db, {
      ...first,
      fileSha256: 'sha-2',
      rowHashes: ['h1', 'h2x'],
      // Position 3 was dropped by the new edition but its record stays counted: still sent.
      recordedHashes: ['h1', 'h2', 'h3'],
      appliedHashes: ['h1', 'h2x', 'h3'],
      appliedRevisions: [1, 2, 1],
      expectedRevision: 1,
      change: { changedPositions: [2], addedPositions: [], removedPositions: [3] },
    });
    expect(revised).toMatchObject({ revision: 2, rows: 2, fileSha256: 'sha-2', appliedHashes: ['h1', 'h2x', 'h3'], appliedRevisions: [1, 2, 1] });
    expect((await listPoliceUkImportRevisions(test.db, JANUARY)).map((r) => [r.revision, r.changedPositions, r.removedPositions])).toEqual([
      [1, [], []],
      [2, [2], [3]],
    ]);
  });

  it('refuses a write based on a stale revision', async () => {
    const stale = { ...first, expectedRevision: 1, change: { changedPositions: [1], addedPositions: [], removedPositions: [] } };
    await expect(savePoliceUkImport(test.db, stale)).rejects.toThrow(
      new PoliceUkImportConflictError(JANUARY, 1),
    );
    expect((await findPoliceUkImport(test.db, JANUARY))?.revision).toBe(2);
  });

  it('lets one import of a force-month run at a time', async () => {
    const result = await withPoliceUkImportLock(test.db, JANUARY, async () => {
      await expect(withPoliceUkImportLock(test.db, JANUARY, async () => 'inner')).rejects.toThrow(PoliceUkImportBusyError);
      // Another month is not blocked.
      return withPoliceUkImportLock(test.db, { ...JANUARY, month: '2019-02' }, async () => 'other month');
    });
    expect(result).toBe('other month');
    // Released afterwards, also when the work throws.
    await expect(withPoliceUkImportLock(test.db, JANUARY, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await withPoliceUkImportLock(test.db, JANUARY, async () => 'again')).toBe('again');
  });
});
