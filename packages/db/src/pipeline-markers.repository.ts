import type { DbOrTransaction } from './database.ts';

export interface PipelineMarker {
  readonly value: string;
  readonly updatedAt: Date;
}

/** A named fact the pipeline keeps about itself (`pipeline_markers`), or undefined. */
export async function readPipelineMarker(db: DbOrTransaction, name: string): Promise<PipelineMarker | undefined> {
  const row = await db
    .selectFrom('pipeline_markers')
    .select(['value', 'updated_at'])
    .where('name', '=', name)
    .executeTakeFirst();
  return row && { value: row.value, updatedAt: row.updated_at };
}

/** Sets a marker, stamped now (the database's clock). */
export async function writePipelineMarker(db: DbOrTransaction, name: string, value: string): Promise<void> {
  await db
    .insertInto('pipeline_markers')
    .values({ name, value })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value, updated_at: new Date() }))
    .execute();
}
