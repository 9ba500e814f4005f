import { createTestDatabase, type TestDatabase } from '@rollcall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertForcesKnown, UnknownForcesError } from './nightly-forces.ts';

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => {
  await test.destroy();
});

describe('assertForcesKnown', () => {
  it('accepts forces of the reference data', async () => {
    await expect(assertForcesKnown(test.db, ['avon-and-somerset', 'kent'])).resolves.toBeUndefined();
  });

  it('names every unknown force, and the known ids, in one clear error', async () => {
    const error = await assertForcesKnown(test.db, ['kent', 'kentt', 'atlantis']).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(UnknownForcesError);
    expect((error as UnknownForcesError).unknown).toEqual(['kentt', 'atlantis']);
    expect((error as Error).message).toMatch(
      /^FORCES names forces not in the reference forces table: "kentt", "atlantis"\. Known force ids: .*avon-and-somerset, .*kent,/,
    );
  });

  it('says to load the reference data when the forces table is empty', async () => {
    const empty = await createTestDatabase();
    try {
      await empty.db.deleteFrom('populations').execute();
      await empty.db.deleteFrom('forces').execute();
      await expect(assertForcesKnown(empty.db, ['kent'])).rejects.toThrow(
        'the reference forces table is empty (run `rollcall migrate`',
      );
    } finally {
      await empty.destroy();
    }
  });
});
