import { loadReferenceData, parseReferenceData, readReferenceFile, type ReferenceData } from '@rollcall/reference';
import { createTestDatabase, type TestDatabase } from '../test/index.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import * as referenceVersionContents from './migrations/2026-12-01-09-reference-version-contents.ts';
import {
  loadReferenceIntoDatabase,
  readCurrentReferenceVersion,
  listForceResidents,
  readForceReferences,
  readPopulations,
  readReferenceVersion,
  type ReferenceVersionContents,
  StoredReferenceError,
} from './reference.repository.ts';

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => {
  await test.destroy();
});

const shipped = loadReferenceData();
const files = {
  forces: readReferenceFile('forces'),
  census: readReferenceFile('census'),
  settings: readReferenceFile('settings'),
};
/** The shipped data with Avon and Somerset's 101 threshold at 30 s and its residents one fewer. */
const revised: ReferenceData = parseReferenceData({
  ...files,
  settings: files.settings.replace('"abandonMinWaitSeconds": 60', '"abandonMinWaitSeconds": 30'),
  census: files.census.replace('Avon & Somerset,1599555,1491970,', 'Avon & Somerset,1599554,1491969,'),
});

const avonAndSomerset = async () => {
  const force = await test.db
    .selectFrom('forces')
    .select('settings')
    .where('force_id', '=', 'avon-and-somerset')
    .executeTakeFirstOrThrow();
  const population = await test.db
    .selectFrom('populations')
    .select(['residents'])
    .where('force_id', '=', 'avon-and-somerset')
    .where('vintage', '=', 'census-2011')
    .executeTakeFirstOrThrow();
  return {
    abandonMinWaitSeconds: (force.settings as { abandonMinWaitSeconds: number }).abandonMinWaitSeconds,
    residents: Number(population.residents),
  };
};
/** Avon and Somerset as a version's kept contents say. */
const keptAvonAndSomerset = (contents: ReferenceVersionContents | null | undefined) => ({
  abandonMinWaitSeconds: contents?.forces.find((force) => force.forceId === 'avon-and-somerset')?.settings
    .abandonMinWaitSeconds,
  residents: contents?.populations.find((population) => population.forceId === 'avon-and-somerset')?.residents,
});
const versions = () =>
  test.db
    .selectFrom('reference_versions')
    .select(['version', 'is_current'])
    .orderBy('loaded_at')
    .orderBy('version')
    .execute();

describe('loadReferenceIntoDatabase', () => {
  it('changes nothing when the version is already current', async () => {
    const before = await versions();
    expect(before).toEqual([{ version: shipped.version, is_current: true }]);
    expect(await loadReferenceIntoDatabase(test.db, shipped)).toEqual({ loaded: false, version: shipped.version });
    expect(await versions()).toEqual(before);
    expect(await avonAndSomerset()).toEqual({ abandonMinWaitSeconds: 60, residents: 1_599_555 });
  });

  it('loads a changed version once, even when two processes load it at the same moment', async () => {
    const results = await Promise.all([
      loadReferenceIntoDatabase(test.db, revised),
      loadReferenceIntoDatabase(test.db, revised),
    ]);
    expect(results.map((result) => result.loaded).sort()).toEqual([false, true]);
    expect(revised.version).not.toBe(shipped.version);
    expect(await readCurrentReferenceVersion(test.db)).toEqual({
      version: revised.version,
      populationVintage: 'census-2011',
    });
    expect(await avonAndSomerset()).toEqual({ abandonMinWaitSeconds: 30, residents: 1_599_554 });
    expect((await test.db.selectFrom('forces').select('force_id').execute()).length).toBe(43);
    expect(await versions()).toEqual([
      { version: shipped.version, is_current: false },
      { version: revised.version, is_current: true },
    ]);
  });

  it('keeps what each version held, so that what an older snapshot used can still be read', async () => {
    const older = await readReferenceVersion(test.db, shipped.version);
    expect(older).toMatchObject({ version: shipped.version, populationVintage: 'census-2011', isCurrent: false });
    expect(keptAvonAndSomerset(older?.contents)).toEqual({ abandonMinWaitSeconds: 60, residents: 1_599_555 });
    expect(older?.contents?.forces).toHaveLength(43);
    expect(older?.contents?.populations).toHaveLength(43);
    const current = await readReferenceVersion(test.db, revised.version);
    expect(current?.isCurrent).toBe(true);
    expect(keptAvonAndSomerset(current?.contents)).toEqual({ abandonMinWaitSeconds: 30, residents: 1_599_554 });
    expect(await readReferenceVersion(test.db, 'ref-never-loaded')).toBeUndefined();
  });

  it('fills in, on migrating, the contents of the version current then, in the shape a load writes', async () => {
    const loaded = (await readReferenceVersion(test.db, revised.version))?.contents;
    await sql`alter table reference_versions drop column contents`.execute(test.db);
    await referenceVersionContents.up(test.db);
    expect((await readReferenceVersion(test.db, revised.version))?.contents).toEqual(loaded);
    // The version replaced before then lost its contents with the tables' rows.
    expect((await readReferenceVersion(test.db, shipped.version))?.contents).toBeNull();
  });

  it('makes an earlier version current again when its files come back', async () => {
    expect(await loadReferenceIntoDatabase(test.db, shipped)).toEqual({ loaded: true, version: shipped.version });
    expect(await readCurrentReferenceVersion(test.db)).toEqual({
      version: shipped.version,
      populationVintage: 'census-2011',
    });
    expect(await avonAndSomerset()).toEqual({ abandonMinWaitSeconds: 60, residents: 1_599_555 });
    expect((await versions()).filter((row) => row.is_current).map((row) => row.version)).toEqual([shipped.version]);
    // Loading it again wrote its contents back.
    expect(keptAvonAndSomerset((await readReferenceVersion(test.db, shipped.version))?.contents)).toEqual({
      abandonMinWaitSeconds: 60,
      residents: 1_599_555,
    });
  });
});

describe('reading the stored reference back', () => {
  it("parses each force's settings and population groups into what was loaded", async () => {
    await loadReferenceIntoDatabase(test.db, shipped);
    const forces = await readForceReferences(test.db);
    const avon = forces.find((force) => force.forceId === 'avon-and-somerset');
    expect(avon?.settings).toEqual(shipped.settings.get('avon-and-somerset'));
    expect(forces.map((force) => force.forceId)).toEqual(shipped.forces.map((force) => force.forceId).sort());
    const populations = await readPopulations(test.db, shipped.populationVintage);
    expect(populations.find((row) => row.forceId === 'avon-and-somerset')).toEqual(
      shipped.populations.find((row) => row.forceId === 'avon-and-somerset'),
    );
    expect((await listForceResidents(test.db)).length).toBe(populations.length);
  });

  it('names the table, the row and the field when a stored document does not parse', async () => {
    await loadReferenceIntoDatabase(test.db, shipped);
    await sql`update forces set settings = settings - 'abandonMinWaitSeconds' where force_id = 'avon-and-somerset'`.execute(
      test.db,
    );
    await sql`update populations set groups = groups || '{"black": -1}' where force_id = 'kent'`.execute(test.db);
    await expect(readForceReferences(test.db)).rejects.toThrow(StoredReferenceError);
    await expect(readForceReferences(test.db)).rejects.toThrow(
      /^forces\.settings of avon-and-somerset: abandonMinWaitSeconds: /,
    );
    await expect(readPopulations(test.db, shipped.populationVintage)).rejects.toThrow(
      /^populations\.groups of kent \(census-2011\): black: /,
    );
  });
});
