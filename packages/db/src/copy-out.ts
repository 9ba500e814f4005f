import type { Kysely } from 'kysely';
import copyStreams from 'pg-copy-streams';
import { connectOutsidePool } from './create-database.ts';
import type { Database } from './database.ts';

/**
 * Sort memory of these reads: PostgreSQL sorts a query's rows in runs of this size and merges
 * them as it sends them. Small runs fit the processor's caches; one large in-memory quicksort
 * does not (issue 19). Replay's entity-ordered read of 825,000 events, one sort in psql:
 * 4-16 MB 0.93-0.99 s, 64 MB 1.35 s, 256 MB (in memory) 1.37-1.47 s. Replay over 4.9 million:
 * PostgreSQL 2.5 CPU-µs per event at 16 MB, 2.6-2.9 at 8 MB, 3.3-3.5 at 256 MB. At 16 MB a
 * merge pass takes some 60 runs (about 1 GB of rows, most of a replay shard of 10 million
 * events); beyond that PostgreSQL merges in more passes, each a sequential pass over its files.
 */
const SORT_RUN_MEMORY = '16MB';

/**
 * The rows of `query`, read with `COPY (...) TO STDOUT` on a connection of its own in the exported
 * `snapshot` (`pg_export_snapshot` of a transaction still open), handed out a network chunk at a
 * time (some 64 kB). `parseRow` reads a row's fields in order with `field()`: text, or null for
 * SQL null. Memory holds one chunk, whatever the result size.
 *
 * Why COPY (issue 19): pg's row parser, with a type parser per field, cost replay more than
 * its fold; COPY's text is split here with two `indexOf`s per field. No parallel workers: a
 * caller reading several of these at once is the parallelism, and workers only contend for the
 * same cores. `query` is inlined (COPY takes no parameters): callers build it from checked values.
 */
export async function* copyOutInSnapshot<R>(
  db: Kysely<Database>,
  snapshot: string,
  query: string,
  parseRow: (field: () => string | null) => R,
): AsyncGenerator<R[]> {
  if (!/^[0-9A-F-]+$/i.test(snapshot)) throw new RangeError(`not a snapshot name: ${snapshot}`);
  const client = await connectOutsidePool(db);
  try {
    await client.query('begin isolation level repeatable read read only');
    await client.query(`set transaction snapshot '${snapshot}'`);
    // A lock this connection waits for may be queued behind a request (a partition dropped) that
    // itself waits for the caller's transaction, which waits for this one: a deadlock PostgreSQL
    // cannot see, as its last edge is in this process. So a wait is bounded and fails the read.
    // No JIT: these are scans with a few simple expressions per row, one plan per partition, and
    // LLVM compiling them costs more than it saves (over the full benchmark's 43 partitions, 1.9 s
    // of a replay shard's 3.6-3.9 s went to compiling 172 functions; `setTransactionJitOff`).
    await client.query(
      `set local work_mem = '${SORT_RUN_MEMORY}'; set local max_parallel_workers_per_gather = 0; set local lock_timeout = '30s'; set local jit = off`,
    );
    const stream = client.query(copyStreams.to(`copy (${query}) to stdout`));
    let carry: Buffer | undefined;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const bytes = carry === undefined ? chunk : Buffer.concat([carry, chunk]);
      // Rows end in \n (a \n inside a value is written as \\n); a chunk may end mid-row.
      const end = bytes.lastIndexOf(10);
      if (end < 0) {
        carry = bytes;
        continue;
      }
      carry = end + 1 < bytes.length ? bytes.subarray(end + 1) : undefined;
      yield parseCopyText(bytes.toString('utf8', 0, end + 1), parseRow);
    }
    if (carry !== undefined) throw new Error('COPY output ended mid-row');
    await client.query('commit');
  } finally {
    await client.end();
  }
}

/** Rows of COPY's text format, each ending in \n, fields separated by tabs. */
function parseCopyText<R>(text: string, parseRow: (field: () => string | null) => R): R[] {
  const escaped = text.includes('\\');
  const rows: R[] = [];
  let at = 0;
  let rowEnd = 0;
  const field = (): string | null => {
    const tab = text.indexOf('\t', at);
    const end = tab >= 0 && tab < rowEnd ? tab : rowEnd;
    const value = text.slice(at, end);
    at = end + 1;
    if (!escaped) return value;
    return value === '\\N' ? null : unescapeCopyText(value);
  };
  while (at < text.length) {
    rowEnd = text.indexOf('\n', at);
    rows.push(parseRow(field));
    at = rowEnd + 1;
  }
  return rows;
}

const COPY_ESCAPES: Readonly<Record<string, string>> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

/** COPY TO's text escapes undone: a backslash before b f n r t v, or before itself. */
function unescapeCopyText(value: string): string {
  if (!value.includes('\\')) return value;
  return value.replace(/\\(.)/g, (_, c: string) => COPY_ESCAPES[c] ?? c);
}
