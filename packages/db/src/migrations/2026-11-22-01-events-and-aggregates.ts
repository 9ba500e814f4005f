import { type Kysely, sql } from 'kysely';

/**
 * The ingest store: events as offered (pseudonymised), entity states folded from them, daily
 * aggregates, per-feed accounting and rejected events. Frozen: later changes are new migrations.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('events')
    .addColumn('feed', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('force_id', 'text', (c) => c.notNull())
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('entity_kind', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    // sha256 of the canonical event; the same eventId with another hash is a conflict.
    .addColumn('content_hash', 'text', (c) => c.notNull())
    .addColumn('body', 'jsonb', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('events_pkey', ['feed', 'event_id'])
    .execute();

  // One row per lifecycle (a call, a circulation, a search...): the set of its facts and what
  // they mean. Aggregates are the sum of every entity's contributions, so the entity is the
  // unit that is re-folded when a late event arrives.
  await db.schema
    .createTable('entities')
    .addColumn('force_id', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('entity_id', 'text', (c) => c.notNull())
    .addColumn('facts', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('started_at', 'timestamptz')
    .addColumn('ended_at', 'timestamptz')
    .addColumn('flags', 'jsonb', (c) => c.notNull().defaultTo(sql`'[]'::jsonb`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('entities_pkey', ['force_id', 'kind', 'entity_id'])
    .execute();
  // Calls waiting now, and calls waiting at the end of a day (started in the 24 hours before).
  await sql`create index entities_started on entities (force_id, kind, started_at) where started_at is not null`.execute(
    db,
  );
  await sql`create index entities_flagged on entities (force_id, kind) where flags <> '[]'::jsonb`.execute(db);

  // Additive integer facts per force, London day, metric and dimension. Integers (counts,
  // milliseconds) so that sums are exact and independent of the order they were added in.
  await db.schema
    .createTable('daily_aggregates')
    .addColumn('force_id', 'text', (c) => c.notNull())
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('dim', 'text', (c) => c.notNull())
    .addColumn('value', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('daily_aggregates_pkey', ['force_id', 'day', 'metric', 'dim'])
    .execute();

  // Stored events per force, feed and London day of occurrence: coverage (a month with none is
  // missing, not zero) and the inputs block of a snapshot.
  await db.schema
    .createTable('daily_feed_stats')
    .addColumn('force_id', 'text', (c) => c.notNull())
    .addColumn('feed', 'text', (c) => c.notNull())
    .addColumn('day', 'date', (c) => c.notNull())
    .addColumn('events', 'bigint', (c) => c.notNull())
    .addColumn('latest_occurred_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('daily_feed_stats_pkey', ['force_id', 'feed', 'day'])
    .execute();

  // offered = stored + duplicate + rejected, per feed and force (force '' when unreadable).
  await db.schema
    .createTable('event_accounting')
    .addColumn('feed', 'text', (c) => c.notNull())
    .addColumn('force_id', 'text', (c) => c.notNull())
    .addColumn('stored', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('duplicate', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('rejected', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('event_accounting_pkey', ['feed', 'force_id'])
    .execute();

  await db.schema
    .createTable('rejected_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('feed', 'text', (c) => c.notNull())
    .addColumn('force_id', 'text')
    .addColumn('event_id', 'text')
    .addColumn('event_type', 'text')
    .addColumn('reason', 'text', (c) => c.notNull())
    // Where it came from: `queue feed.dvpo job 42` or `file calls.ndjson line 17`.
    .addColumn('source', 'text', (c) => c.notNull())
    // The input as offered, person references hashed; JSON text because it may not be JSON.
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('rejected_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await sql`create index rejected_events_feed on rejected_events (feed, rejected_at)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of [
    'rejected_events',
    'event_accounting',
    'daily_feed_stats',
    'daily_aggregates',
    'entities',
    'events',
  ]) {
    await db.schema.dropTable(table).ifExists().execute();
  }
}
