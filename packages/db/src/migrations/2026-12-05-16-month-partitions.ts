import { type Kysely, sql } from 'kysely';

/**
 * `events` and `daily_aggregates` partitioned by London month (issue 16), so that old months are
 * dropped as whole tables instead of deleted row by row, and a query over a range of days reads
 * only the months it names (partition pruning). `events` is partitioned on `occurred_at` at London
 * month boundaries (a month in summer starts at 23:00 UTC of the day before), `daily_aggregates`
 * on `day`. `monthly_aggregates` is not partitioned: it is the long history every snapshot reads
 * across three years and more (a handful of rows per force and month), and it is kept for ever.
 *
 * A primary key of a partitioned table must contain the partition key, so `events` can no longer
 * refuse a second row with the same (feed, event_id) by itself: an event offered again with other
 * content (a conflict) could carry another instant and land in another month. Event identity moves
 * to `event_ids` (feed, event_id) -> (occurred_at, content_hash), not partitioned, written in the
 * same statement as the event; its primary key is what makes each event stored exactly once, as
 * `events_pkey` did before. An event's month is fixed by its content: a correction is a new event
 * (its own id and instant), never a changed row, so no stored event ever moves between months.
 *
 * Partitions are made by `rollcall_ensure_month_partition(table, month)`: the nightly run makes
 * the coming months ahead of time; a row of a month with no partition (history older than the
 * first partition, an instant far in the future) goes to the table's DEFAULT partition, so nothing
 * is ever refused. When a partition is made for a month the DEFAULT partition already holds rows
 * of, the function moves them into it first. Existing databases: every month present in the data
 * gets its partition here, and the rows are copied across in this migration's transaction.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function rollcall_ensure_month_partition(parent text, month date, zone text default 'Europe/London')
    returns boolean language plpgsql as $$
    declare
      first_day date := make_date(extract(year from month)::int, extract(month from month)::int, 1);
      next_day date := (first_day + interval '1 month')::date;
      child text := parent || '_' || to_char(first_day, 'YYYY_MM');
      key_column text;
      key_type text;
      lower_bound text;
      upper_bound text;
    begin
      if to_regclass(child) is not null then return false; end if;
      select a.attname, format_type(a.atttypid, a.atttypmod) into key_column, key_type
      from pg_partitioned_table p join pg_attribute a on a.attrelid = p.partrelid and a.attnum = p.partattrs[0]
      where p.partrelid = parent::regclass;
      if key_column is null then raise exception '% is not a partitioned table', parent; end if;
      if key_type = 'timestamp with time zone' then
        lower_bound := quote_literal((first_day::timestamp at time zone zone)::text) || '::timestamptz';
        upper_bound := quote_literal((next_day::timestamp at time zone zone)::text) || '::timestamptz';
      else
        lower_bound := quote_literal(first_day::text) || '::date';
        upper_bound := quote_literal(next_day::text) || '::date';
      end if;
      execute format('create table %I (like %I including defaults including constraints)', child, parent);
      -- Rows the DEFAULT partition took for this month move into it, or attaching would fail.
      execute format(
        'with moved as (delete from %I where %I >= %s and %I < %s returning *) insert into %I select * from moved',
        parent || '_default', key_column, lower_bound, key_column, upper_bound, child);
      execute format('alter table %I attach partition %I for values from (%s) to (%s)',
        parent, child, lower_bound, upper_bound);
      return true;
    end $$`.execute(db);

  // events: the old table's rows, copied into a partitioned one; identity into event_ids.
  await sql`alter table events rename to events_unpartitioned`.execute(db);
  await sql`alter table events_unpartitioned rename constraint events_pkey to events_unpartitioned_pkey`.execute(db);
  await sql`
    create table events (
      feed text not null,
      event_id text not null,
      type text not null,
      force_id text not null,
      occurred_at timestamptz not null,
      entity_kind text not null,
      entity_id text not null,
      content_hash text not null,
      body jsonb not null,
      received_at timestamptz not null default now(),
      constraint events_pkey primary key (feed, event_id, occurred_at)
    ) partition by range (occurred_at)`.execute(db);
  await sql`create table events_default partition of events default`.execute(db);
  await sql`
    create table event_ids (
      feed text not null,
      event_id text not null,
      occurred_at timestamptz not null,
      content_hash text not null,
      constraint event_ids_pkey primary key (feed, event_id)
    )`.execute(db);

  await sql`alter table daily_aggregates rename to daily_aggregates_unpartitioned`.execute(db);
  await sql`alter table daily_aggregates_unpartitioned rename constraint daily_aggregates_pkey to daily_aggregates_unpartitioned_pkey`.execute(
    db,
  );
  await sql`
    create table daily_aggregates (
      force_id text not null,
      day date not null,
      metric text not null,
      dim text not null,
      value bigint not null,
      constraint daily_aggregates_pkey primary key (force_id, day, metric, dim)
    ) partition by range (day)`.execute(db);
  await sql`create table daily_aggregates_default partition of daily_aggregates default`.execute(db);

  // A partition for every month holding data, and for this month and the next three.
  await sql`
    select rollcall_ensure_month_partition('events', month)
    from (
      select distinct date_trunc('month', occurred_at at time zone 'Europe/London')::date as month from events_unpartitioned
      union select ((now() at time zone 'Europe/London')::date + make_interval(months => n))::date from generate_series(0, 3) n
    ) months order by 1`.execute(db);
  await sql`
    select rollcall_ensure_month_partition('daily_aggregates', month)
    from (
      select distinct date_trunc('month', day)::date as month from daily_aggregates_unpartitioned
      union select ((now() at time zone 'Europe/London')::date + make_interval(months => n))::date from generate_series(0, 3) n
    ) months order by 1`.execute(db);

  await sql`
    insert into events (feed, event_id, type, force_id, occurred_at, entity_kind, entity_id, content_hash, body, received_at)
    select feed, event_id, type, force_id, occurred_at, entity_kind, entity_id, content_hash, body, received_at
    from events_unpartitioned`.execute(db);
  await sql`
    insert into event_ids (feed, event_id, occurred_at, content_hash)
    select feed, event_id, occurred_at, content_hash from events_unpartitioned`.execute(db);
  await sql`
    insert into daily_aggregates (force_id, day, metric, dim, value)
    select force_id, day, metric, dim, value from daily_aggregates_unpartitioned`.execute(db);
  // Retention (nightly run): the oldest month still kept per table, and the stored-event counts of
  // the event months dropped, so `offered = stored + duplicate + rejected` still checks out.
  await sql`
    create table partition_retention (
      table_name text primary key,
      kept_from date not null,
      changed_at timestamptz not null default now()
    )`.execute(db);
  await sql`
    create table retired_event_counts (
      feed text not null,
      force_id text not null,
      month date not null,
      events bigint not null,
      constraint retired_event_counts_pkey primary key (feed, force_id, month)
    )`.execute(db);

  await sql`drop table events_unpartitioned`.execute(db);
  await sql`drop table daily_aggregates_unpartitioned`.execute(db);
  await sql`analyze events`.execute(db);
  await sql`analyze event_ids`.execute(db);
  await sql`analyze daily_aggregates`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const [table, key] of [
    ['events', 'feed, event_id'],
    ['daily_aggregates', 'force_id, day, metric, dim'],
  ] as const) {
    await sql`create table ${sql.raw(`${table}_unpartitioned`)} (like ${sql.raw(table)} including defaults)`.execute(
      db,
    );
    await sql`insert into ${sql.raw(`${table}_unpartitioned`)} select * from ${sql.raw(table)}`.execute(db);
    await sql`drop table ${sql.raw(table)}`.execute(db);
    await sql`alter table ${sql.raw(`${table}_unpartitioned`)} rename to ${sql.raw(table)}`.execute(db);
    await sql`alter table ${sql.raw(table)} add constraint ${sql.raw(`${table}_pkey`)} primary key (${sql.raw(key)})`.execute(
      db,
    );
  }
  await sql`drop table retired_event_counts`.execute(db);
  await sql`drop table partition_retention`.execute(db);
  await sql`drop table event_ids`.execute(db);
  await sql`drop function rollcall_ensure_month_partition(text, date, text)`.execute(db);
}
