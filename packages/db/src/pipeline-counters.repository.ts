import { sql } from 'kysely';
import type { DbOrTransaction } from './database.ts';

/**
 * Counters kept as pipeline markers (a decimal in `value`), for what Redis counts with INCR when
 * the queues are in Redis: with the queues in PostgreSQL (QUEUE_BACKEND=postgres) the stalled-job
 * counters live here, shared by every process and kept across restarts like the Redis ones.
 */
export async function incrementPipelineCounter(db: DbOrTransaction, name: string): Promise<number> {
  const row = await db
    .insertInto('pipeline_markers')
    .values({ name, value: '1' })
    .onConflict((oc) =>
      oc.column('name').doUpdateSet({
        value: sql<string>`(pipeline_markers.value::bigint + 1)::text`,
        updated_at: new Date(),
      }),
    )
    .returning('value')
    .executeTakeFirstOrThrow();
  return Number(row.value);
}

/** A counter's value; 0 when it was never incremented. */
export async function readPipelineCounter(db: DbOrTransaction, name: string): Promise<number> {
  const row = await db.selectFrom('pipeline_markers').select('value').where('name', '=', name).executeTakeFirst();
  return row ? Number(row.value) : 0;
}
