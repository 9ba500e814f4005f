import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { test } from '@rollcall/testing';
import { sql } from 'kysely';
import { defined } from '@rollcall/contract';
import { describe, expect } from 'vitest';
import { startCostMeter } from './bench/cost-meter.ts';

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
});
