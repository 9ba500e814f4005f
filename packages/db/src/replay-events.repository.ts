import { sql } from 'kysely';
import type { Transaction } from 'kysely';
import type { Database, DbOrTransaction } from './database.ts';
import { setTransactionWorkMem } from './transaction-settings.ts';

/** One stored event as replay folds it: in entity order, `at` in epoch ms. */
export interface ReplayEventRow {
  readonly event_id: string;
  readonly type: string;
  /** Epoch ms as text (bigint), so no precision is lost on the way. */
  readonly at: string;
  readonly force_id: string;
  readonly entity_kind: string;
  readonly entity_id: string;
  readonly payload: Record<string, unknown>;
  readonly feed: string;
}

/** Stored events in all, for progress totals. */
export async function countStoredEvents(db: DbOrTransaction): Promise<number> {
  const row = await db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirst();
  return Number(row?.n ?? 0);
}

/**
 * Opens a replay in `trx`: a SHARE lock on `events`, so ingest waits while replay runs and the
 * stored events are stable; enough sort memory to keep the entity-ordered scan off disk for
 * millions of events; and, when entities are rebuilt, the old entity state removed (entities
 * rebuilt from their events replace it entirely). Returns how many events will be read.
 */
export async function beginReplay(
  trx: Transaction<Database>,
  options: { readonly rebuildEntities: boolean },
): Promise<number> {
  await sql`lock table events in share mode`.execute(trx);
  await setTransactionWorkMem(trx, 256);
  if (options.rebuildEntities) await trx.deleteFrom('entities').execute();
  return countStoredEvents(trx);
}

/**
 * Every stored event in entity order (force, kind, entity), in pages of `pageSize`, through a
 * server-side cursor: memory holds two pages (the one handed out and the next, fetched ahead),
 * whatever the table size. The London day is not
 * computed here: the caller computes it with the very calendar live processing uses.
 */
export async function* readEventsInEntityOrder(
  trx: Transaction<Database>,
  pageSize: number,
): AsyncGenerator<ReplayEventRow[]> {
  await sql`declare replay_events no scroll cursor for
    select event_id, type, floor(extract(epoch from occurred_at) * 1000)::bigint::text as at, force_id, entity_kind,
           entity_id, body -> 'payload' as payload, feed
    from events order by force_id, entity_kind, entity_id`.execute(trx);
  const fetchPage = () =>
    sql<ReplayEventRow>`fetch ${sql.raw(String(Math.trunc(pageSize)))} from replay_events`.execute(trx);
  // The next page is asked for before this one is handed out, so PostgreSQL reads and sends it
  // while the caller folds this one: replay then takes the longer of the two, not their sum.
  let next = fetchPage();
  for (;;) {
    // A failed fetch aborts the transaction, and the cursor with it: nothing to close then.
    const page = await next;
    if (page.rows.length === 0) break;
    next = fetchPage();
    // The caller may stop early (an error while folding): the fetch in flight must not be left
    // rejecting unheard, since the transaction is then rolled back under it.
    next.catch(() => undefined);
    yield page.rows;
  }
  await sql`close replay_events`.execute(trx);
}
