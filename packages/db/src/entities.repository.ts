import { sql } from 'kysely';
import type { DbOrTransaction } from './database.ts';
import { unnest } from './unnest.ts';

export interface EntityKey {
  readonly forceId: string;
  readonly kind: string;
  readonly entityId: string;
}

export interface EntityState extends EntityKey {
  readonly facts: unknown[];
}

export interface EntityWrite extends EntityKey {
  /** JSON text of the entity's facts. */
  readonly facts: string;
  readonly status: string;
  readonly startedAt: string | null;
  readonly endedAt: string | null;
  /** JSON text of the flags (anomalies) the lifecycle found. */
  readonly flags: string;
}

export const entityKeyOf = (key: EntityKey): string => `${key.forceId}\u0000${key.kind}\u0000${key.entityId}`;

/** Stored facts of the given entities, by `entityKeyOf`; absent entities are not in the map. */
export async function findEntityFacts(db: DbOrTransaction, keys: readonly EntityKey[]): Promise<Map<string, unknown[]>> {
  if (keys.length === 0) return new Map();
  const result = await sql<{ force_id: string; kind: string; entity_id: string; facts: unknown[] }>`
    select e.force_id, e.kind, e.entity_id, e.facts
    from entities e
    join ${unnest(keys, [['text', (k) => k.forceId], ['text', (k) => k.kind], ['text', (k) => k.entityId]])} as k(force_id, kind, entity_id)
      on e.force_id = k.force_id and e.kind = k.kind and e.entity_id = k.entity_id`.execute(db);
  return new Map(result.rows.map((row) => [entityKeyOf({ forceId: row.force_id, kind: row.kind, entityId: row.entity_id }), row.facts]));
}

/** Writes entity states in one statement (insert or replace). Keys must be unique. */
export async function upsertEntities(db: DbOrTransaction, rows: readonly EntityWrite[]): Promise<void> {
  if (rows.length === 0) return;
  await sql`
    insert into entities (force_id, kind, entity_id, facts, status, started_at, ended_at, flags)
    select * from ${unnest(rows, [
      ['text', (r) => r.forceId],
      ['text', (r) => r.kind],
      ['text', (r) => r.entityId],
      ['jsonb', (r) => r.facts],
      ['text', (r) => r.status],
      ['timestamptz', (r) => r.startedAt],
      ['timestamptz', (r) => r.endedAt],
      ['jsonb', (r) => r.flags],
    ])}
    on conflict (force_id, kind, entity_id) do update set
      facts = excluded.facts, status = excluded.status, started_at = excluded.started_at,
      ended_at = excluded.ended_at, flags = excluded.flags, updated_at = now()`.execute(db);
}

/** Every entity, in pages by primary key (for replay comparisons and reports). */
export async function* readAllEntities(db: DbOrTransaction, pageSize = 20_000) {
  let after: EntityKey | undefined;
  for (;;) {
    const page = await db
      .selectFrom('entities')
      .select(['force_id', 'kind', 'entity_id', 'facts', 'status', 'flags'])
      .$if(after !== undefined, (q) =>
        q.where(sql<boolean>`(force_id, kind, entity_id) > (${after!.forceId}, ${after!.kind}, ${after!.entityId})`),
      )
      .orderBy('force_id')
      .orderBy('kind')
      .orderBy('entity_id')
      .limit(pageSize)
      .execute();
    if (page.length === 0) return;
    yield page;
    const last = page[page.length - 1]!;
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
