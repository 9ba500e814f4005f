import { type RawBuilder, sql } from 'kysely';

/**
 * SQL over the entries of a stored snapshot document (`document -> 'measures'`), shared by the
 * repositories that read single entries out of documents in PostgreSQL rather than in Node.
 */

/**
 * The breakdown of `entry` (a jsonb expression) as the API names it: `key=value` pairs in key
 * order joined by `;`, or `''` for the headline (a null or absent breakdown). The keys of a
 * breakdown are ASCII identifiers, so ordering them `collate "C"` (by byte) orders them as
 * JavaScript's sort does.
 */
export function breakdownKeySql(entry: RawBuilder<unknown>): RawBuilder<string> {
  return sql<string>`coalesce(
    (
      select string_agg(b.key || '=' || coalesce(b.value, 'null'), ';' order by b.key collate "C")
      from jsonb_each_text(case when jsonb_typeof(${entry} -> 'breakdown') = 'object' then ${entry} -> 'breakdown' end) as b
    ),
    ''
  )`;
}
