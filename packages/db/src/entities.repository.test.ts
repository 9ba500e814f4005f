import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../test/index.ts';
import {
  type EntityWrite,
  entityKeyOf,
  findEntityFacts,
  insertNewEntities,
  upsertEntities,
} from './entities.repository.ts';

let test: TestDatabase;
beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => {
  await test.destroy();
});

// Every character COPY's text format treats specially, in the key and in the facts' JSON.
const entity = (entityId: string, overrides: Partial<EntityWrite> = {}): EntityWrite => ({
  forceId: 'avon-and-somerset',
  kind: 'call',
  entityId,
  facts: [
    { at: 1_700_000_000_000, note: 'tab\there, line\nbreak\r\n, \\N and \\ alone', list: [null, 1.5, 'é\u2028'] },
  ],
  status: 'open',
  startedAt: '2023-11-14T22:13:20.000Z',
  endedAt: null,
  flags: ['answered\tlate'],
  ...overrides,
});
const stored = async (entityIds: string[]) =>
  test.db
    .selectFrom('entities')
    .select(['entity_id', 'facts', 'status', 'started_at', 'ended_at', 'flags'])
    .where('entity_id', 'in', entityIds)
    .orderBy('entity_id')
    .execute();
const asStored = (write: EntityWrite) => ({
  entity_id: write.entityId,
  facts: write.facts,
  status: write.status,
  started_at: write.startedAt === null ? null : new Date(write.startedAt),
  ended_at: write.endedAt === null ? null : new Date(write.endedAt),
  flags: write.flags,
});

describe('insertNewEntities', () => {
  it('stores every field exactly as given, by COPY in a transaction and by INSERT outside one', async () => {
    const copied = [entity('copied\t1'), entity('copied\\2', { endedAt: '2023-11-15T00:00:00.000Z', flags: [] })];
    await test.db.transaction().execute((trx) => insertNewEntities(trx, copied));
    const inserted = [entity('inserted\n3')];
    await insertNewEntities(test.db, inserted);
    expect(await stored(['copied\t1', 'copied\\2', 'inserted\n3'])).toEqual([...copied, ...inserted].map(asStored));
    const facts = await findEntityFacts(test.db, copied);
    expect(facts.get(entityKeyOf(copied[0] as EntityWrite))).toEqual(copied[0]?.facts);
  });

  it('fails the whole write when an entity is stored already, leaving the rest unwritten', async () => {
    await insertNewEntities(test.db, [entity('taken')]);
    await expect(
      test.db.transaction().execute((trx) => insertNewEntities(trx, [entity('fresh'), entity('taken')])),
    ).rejects.toThrow(/duplicate key value violates unique constraint "entities_pkey"/);
    expect(await stored(['fresh'])).toEqual([]);
    // The upsert is the way to replace one.
    await upsertEntities(test.db, [entity('taken', { status: 'closed' })]);
    expect((await stored(['taken']))[0]?.status).toBe('closed');
  });
});
