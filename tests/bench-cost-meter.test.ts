import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from '@rollcall/testing';
import { sql } from 'kysely';
import { defined } from '@rollcall/contract';
import { describe, expect } from 'vitest';
import { startCostMeter } from './bench/cost-meter.ts';
import { FLOOR_TABLES, measureSchemaFloor } from './bench/schema-floor.ts';

/**
 * The benchmark's cost model (issue 19) reads CPU time from /proc and WAL from PostgreSQL. Its
 * figures decide whether a change to the write path is kept, so the meter itself is checked
 * against work of a known size.
 */
describe('the benchmark cost meter', () => {
  test('counts the CPU of a process it is given and the WAL of rows written', async ({ database }) => {
    const databaseName = new URL(database.url).pathname.slice(1);
    // A child that spins for 300 ms, reports the CPU it used, then idles until told to exit.
    const child = spawn(
      process.execPath,
      [
        '-e',
        `const end = performance.now() + 300; while (performance.now() < end) {}
         const used = process.cpuUsage(); console.log(JSON.stringify(used)); process.stdin.resume();`,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const meter = await startCostMeter(database.db, {
      database: databaseName,
      rollcallPids: () => (child.pid === undefined ? [] : [child.pid]),
    });
    await sql`create table cost_meter_rows (id int primary key, body text)`.execute(database.db);
    await sql`insert into cost_meter_rows select g, repeat('x', 200) from generate_series(1, 10000) g`.execute(
      database.db,
    );
    const [line] = (await once(defined(child.stdout, 'the child output'), 'data')) as [Buffer];
    const reported = JSON.parse(line.toString()) as { user: number; system: number };
    const cost = await meter.stop(10_000);
    child.stdin?.end();
    await once(child, 'exit');
    // The meter reads /proc in clock ticks (10 ms); the child measured itself in µs. The child
    // was sampled first right after it started, so its start-up before that is not counted.
    const childMicros = reported.user + reported.system;
    const meteredMicros = (cost.rollcallCpuMicrosPerEvent ?? Number.NaN) * 10_000;
    expect(meteredMicros).toBeGreaterThan(childMicros - 150_000);
    expect(meteredMicros).toBeLessThan(childMicros + 20_000);
    expect(childMicros).toBeGreaterThan(250_000);
    // Each row carries 200 bytes of text, plus its index entry: at least that much WAL per row.
    expect(cost.walBytesPerEvent).toBeGreaterThan(200);
    expect(cost.postgresCpuMicrosPerEvent).toBeGreaterThan(0);
  });

  test('counts the whole CPU of a child that exits inside the window, with includeExitedChildren', async ({
    database,
  }) => {
    const meter = await startCostMeter(database.db, {
      database: new URL(database.url).pathname.slice(1),
      rollcallPids: () => [],
      includeExitedChildren: true,
    });
    // Spins for 300 ms, reports the CPU it used, and exits at once: nothing samples it while it runs.
    const child = spawn(
      process.execPath,
      [
        '-e',
        `const end = performance.now() + 300; while (performance.now() < end) {} console.log(JSON.stringify(process.cpuUsage()));`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await once(child, 'exit');
    const reported = JSON.parse(output) as { user: number; system: number };
    const cost = await meter.stop(1);
    const childMicros = reported.user + reported.system;
    const meteredMicros = cost.rollcallCpuMicrosPerEvent ?? Number.NaN;
    // Clock ticks of 10 ms; the metered time also holds the child's start and exit, not in its own report.
    expect(meteredMicros).toBeGreaterThan(childMicros - 20_000);
    expect(meteredMicros).toBeLessThan(childMicros + 250_000);
    expect(childMicros).toBeGreaterThan(250_000);
  });

  test('the schema floor writes every row of each table again, metered, and leaves no copy behind', async ({
    database,
  }) => {
    const databaseName = new URL(database.url).pathname.slice(1);
    await sql`insert into event_ids (feed, event_id, occurred_at, content_hash)
      select 'call-handling', 'floor-' || g, '2024-01-15T10:00:00Z'::timestamptz, md5(g::text)
      from generate_series(1, 5000) g`.execute(database.db);
    await sql`insert into monthly_aggregates (force_id, month, metric, dim, value)
      select 'avon-and-somerset', '2024-01-01', 'calls.999.answered', g::text, g from generate_series(1, 300) g`.execute(
      database.db,
    );
    const floors = await measureSchemaFloor(database.db, database.url, databaseName, 5_000);
    expect(floors.map((floor) => floor.table)).toEqual([...FLOOR_TABLES]);
    const rowsOf = (table: string) =>
      defined(
        floors.find((floor) => floor.table === table),
        table,
      );
    expect(rowsOf('event_ids').rows).toBe(5_000);
    expect(rowsOf('monthly_aggregates').rows).toBe(300);
    expect(rowsOf('events').rows).toBe(0);
    // 5,000 identities of some 60 bytes each, and their index entries: written, and durably.
    expect(rowsOf('event_ids').cost.walBytesPerEvent).toBeGreaterThan(60);
    expect(rowsOf('event_ids').cost.postgresCpuMicrosPerEvent).toBeGreaterThan(0);
    const left = await sql<{
      name: string;
    }>`select relname as name from pg_class where relname like 'floor\_%'`.execute(database.db);
    expect(left.rows).toEqual([]);
  });
});
