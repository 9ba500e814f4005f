import { type RawBuilder, sql } from 'kysely';

/** A column of a bulk write: its name, PostgreSQL type, and how to read it from a row. */
export type RecordsetColumn<R> = readonly [
  name: string,
  type: 'text' | 'date' | 'timestamptz' | 'bigint' | 'integer' | 'double precision' | 'json' | 'jsonb',
  read: (row: R) => unknown,
];

/**
 * `json_to_recordset($1::json)` over rows, as a table `t` of the columns: a bulk write is one statement with
 * one parameter, whatever the row count. The rows travel as one JSON text built by the native
 * `JSON.stringify`, and PostgreSQL parses it in C; jsonb columns are nested objects, not strings,
 * so an event body is encoded once. (Array parameters would make pg escape every element in
 * JavaScript, which profiling showed to be a tenth of ingest time.) A `json` column is the nested
 * text as sent, not parsed again into a binary document.
 */
export function jsonRecordset<R>(rows: readonly R[], columns: readonly RecordsetColumn<R>[]): RawBuilder<unknown> {
  // Each row's keys are one letter, renamed to the columns' names in SQL: PostgreSQL lexes the
  // parameter twice (the cast, then the recordset) and the names were a fifth of an event row.
  const keys = columns.map((_, index) => (index < 26 ? String.fromCharCode(97 + index) : `z${index}`));
  const records = rows.map((row) => {
    const record: Record<string, unknown> = {};
    for (let index = 0; index < columns.length; index++)
      record[keys[index] as string] = (columns[index] as RecordsetColumn<R>)[2](row);
    return record;
  });
  const definition = sql.raw(columns.map(([, type], index) => `${keys[index]} ${type}`).join(', '));
  const names = sql.raw(columns.map(([name], index) => `${keys[index]} as ${name}`).join(', '));
  return sql`(select ${names} from json_to_recordset(${JSON.stringify(records)}::json) as r(${definition})) as t`;
}
