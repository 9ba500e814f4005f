import { type RawBuilder, sql } from 'kysely';

/** A column of a bulk write: its name, PostgreSQL type, and how to read it from a row. */
export type RecordsetColumn<R> = readonly [
  name: string,
  type: 'text' | 'date' | 'timestamptz' | 'bigint' | 'integer' | 'double precision' | 'json' | 'jsonb',
  read: (row: R) => unknown,
];

/**
 * `json_to_recordset($1::json) as t(col type, ...)` over rows: a bulk write is one statement with
 * one parameter, whatever the row count. The rows travel as one JSON text built by the native
 * `JSON.stringify`, and PostgreSQL parses it in C; jsonb columns are nested objects, not strings,
 * so an event body is encoded once. (Array parameters would make pg escape every element in
 * JavaScript, which profiling showed to be a tenth of ingest time.) A `json` column is the nested
 * text as sent, not parsed again into a binary document.
 */
export function jsonRecordset<R>(rows: readonly R[], columns: readonly RecordsetColumn<R>[]): RawBuilder<unknown> {
  const records = rows.map((row) => {
    const record: Record<string, unknown> = {};
    for (const [name, , read] of columns) record[name] = read(row);
    return record;
  });
  const definition = sql.raw(columns.map(([name, type]) => `${name} ${type}`).join(', '));
  return sql`json_to_recordset(${JSON.stringify(records)}::json) as t(${definition})`;
}
