import { type RawBuilder, sql } from 'kysely';

/** A column of a bulk write: its PostgreSQL element type and how to read it from a row. */
export type UnnestColumn<R> = readonly [elementType: 'text' | 'date' | 'timestamptz' | 'bigint' | 'integer' | 'jsonb', read: (row: R) => unknown];

/**
 * `unnest($1::text[], $2::date[], ...)` over rows, one array parameter per column. A bulk write
 * becomes one statement whatever the row count: no parameter limit (65,535) to split around,
 * and PostgreSQL parses one plan instead of a thousand VALUES tuples.
 */
export function unnest<R>(rows: readonly R[], columns: readonly UnnestColumn<R>[]): RawBuilder<unknown> {
  const arrays = columns.map(([type, read]) => sql`${sql.val(rows.map(read))}::${sql.raw(type)}[]`);
  return sql`unnest(${sql.join(arrays)})`;
}
