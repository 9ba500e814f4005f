import { sql, type Transaction } from 'kysely';
import { copyIntoTable } from './copy-in.ts';
import type { Database, DbOrTransaction } from './database.ts';
import { jsonRecordset, type RecordsetColumn } from './json-recordset.ts';

export interface EntityKey {
  readonly forceId: string;
  readonly kind: string;
  readonly entityId: string;
}

export interface EntityState extends EntityKey {
  readonly facts: unknown[];
}

export interface EntityWrite extends EntityKey {
  /** The entity's facts (stored as JSON text, migration 19). */
  readonly facts: readonly unknown[];
  readonly status: string;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  /** The flags (anomalies) the lifecycle found. */
  readonly flags: readonly string[];
}

export const entityKeyOf = (key: EntityKey): string => `${key.forceId}\u0000${key.kind}\u0000${key.entityId}`;

/** Stored facts of the given entities, by `entityKeyOf`; absent entities are not in the map. */
export async function findEntityFacts(
  db: DbOrTransaction,
  keys: readonly EntityKey[],
): Promise<Map<string, unknown[]>> {
  if (keys.length === 0) return new Map();
  const result = await sql<{ force_id: string; kind: string; entity_id: string; facts: unknown[] }>`
    select e.force_id, e.kind, e.entity_id, e.facts
    from entities e
    join ${jsonRecordset(keys, [
      ['force_id', 'text', (k) => k.forceId],
      ['kind', 'text', (k) => k.kind],
      ['entity_id', 'text', (k) => k.entityId],
    ])}
      on e.force_id = t.force_id and e.kind = t.kind and e.entity_id = t.entity_id`.execute(db);
  return new Map(
    result.rows.map((row) => [
      entityKeyOf({ forceId: row.force_id, kind: row.kind, entityId: row.entity_id }),
      row.facts,
    ]),
  );
}

/** An entity row as a bulk statement's parameter carries it. */
const ENTITY_COLUMNS: readonly RecordsetColumn<EntityWrite>[] = [
  ['force_id', 'text', (r) => r.forceId],
  ['kind', 'text', (r) => r.kind],
  ['entity_id', 'text', (r) => r.entityId],
  ['facts', 'json', (r) => r.facts],
  ['status', 'text', (r) => r.status],
  ['started_at', 'timestamptz', (r) => r.startedAt],
  ['ended_at', 'timestamptz', (r) => r.endedAt],
  ['flags', 'jsonb', (r) => r.flags],
];

/** Writes entity states in one statement (insert or replace). Keys must be unique. */
export async function upsertEntities(db: DbOrTransaction, rows: readonly EntityWrite[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    insert into entities (force_id, kind, entity_id, facts, status, started_at, ended_at, flags)
    select * from ${jsonRecordset(rows, ENTITY_COLUMNS)}
    on conflict (force_id, kind, entity_id) do update set
      facts = excluded.facts, status = excluded.status, started_at = excluded.started_at,
      ended_at = excluded.ended_at, flags = excluded.flags, updated_at = now()`.execute(db);
}

/**
 * Inserts entities the caller knows to be absent, by COPY inside the caller's transaction (as
 * `insertNewEvents` writes events, issue 19: their facts' JSON is not lexed as one large parameter
 * twice), else by one plain INSERT: no speculative insertion per row, as ON CONFLICT makes. Only
 * for a caller holding the entities' shard locks after reading that they are not stored
 * (`findEntityFacts`); a row stored meanwhile fails the statement either way.
 */
export async function insertNewEntities(db: DbOrTransaction, rows: readonly EntityWrite[]): Promise<void> {
  if (rows.length === 0) return;
  if (db.isTransaction) return copyIntoTable(db as Transaction<Database>, 'entities', ENTITY_COLUMNS, rows);
  await sql`
    insert into entities (force_id, kind, entity_id, facts, status, started_at, ended_at, flags)
    select * from ${jsonRecordset(rows, ENTITY_COLUMNS)}`.execute(db);
}

/** Every entity, in pages by primary key (for replay comparisons and reports). */
export async function* readAllEntities(db: DbOrTransaction, pageSize = 20_000) {
  let after: EntityKey | undefined;
  for (;;) {
    const page = await db
      .selectFrom('entities')
      .select(['force_id', 'kind', 'entity_id', 'facts', 'status', 'flags'])
      .$call((q) =>
        after === undefined
          ? q
          : q.where(sql<boolean>`(force_id, kind, entity_id) > (${after.forceId}, ${after.kind}, ${after.entityId})`),
      )
      .orderBy('force_id')
      .orderBy('kind')
      .orderBy('entity_id')
      .limit(pageSize)
      .execute();
    const last = page.at(-1);
    if (last === undefined) return;
    yield page;
    after = { forceId: last.force_id, kind: last.kind, entityId: last.entity_id };
  }
}

/** Counts of entities with flags (anomalies), per force, kind and flag text, for status reports. */
export async function countFlaggedEntities(db: DbOrTransaction) {
  const result = await sql<{ force_id: string; kind: string; flag: string; entities: number }>`
    select force_id, kind, flag, count(*)::bigint as entities
    from entities, jsonb_array_elements_text(flags) as flag
    where flags <> '[]'::jsonb
    group by 1, 2, 3
    order by 1, 2, 4 desc`.execute(db);
  return result.rows;
}
