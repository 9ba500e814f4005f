import type { DbOrTransaction } from './database.ts';

export interface ForceNameRow {
  readonly forceId: string;
  readonly name: string;
  readonly mostSimilarGroup: readonly string[];
}

/** Names and most similar groups of the current reference data's forces, for pages that show forces by name. */
export async function readForceNames(db: DbOrTransaction, forceIds: readonly string[]): Promise<ForceNameRow[]> {
  if (forceIds.length === 0) return [];
  const rows = await db
    .selectFrom('forces')
    .select(['force_id', 'name', 'most_similar_group'])
    .where('force_id', 'in', [...forceIds])
    .execute();
  return rows.map((row) => ({ forceId: row.force_id, name: row.name, mostSimilarGroup: row.most_similar_group }));
}
