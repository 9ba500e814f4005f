import { mkdir, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { resolveBackingServices } from '@rollcall/backing-services';
import { createCalendar } from '@rollcall/calendar';
import {
  countStoredEvents,
  createDatabase,
  loadReferenceIntoDatabase,
  migrateToLatest,
  recreateDatabase,
} from '@rollcall/db';
import { loadReferenceData } from '@rollcall/reference';
import { replayAggregates } from '@rollcall/store';
import { sql } from 'kysely';
import { startCostMeter } from './cost-meter.ts';
import { monthsEndingAt } from './bench-events.ts';
import { loadHistory } from './history-loader.ts';

/**
 * `pnpm bench:replay`: replay alone, for working on its speed (issue 19) without the full
 * benchmark. Loads `--months` of Avon and Somerset history into a database of its own
 * (`<BENCH_NAME>_replay`, `rollcall_bench_replay` by default, recreated), prepared exactly as the
 * workers prepare events, then runs `replayAggregates` `--runs` times and prints events/s, where
 * the time went (until the first events arrive, until all are folded, writing) and the cost per
 * event of each run (this process, its threads included, and PostgreSQL). `--shards` sets the
 * parts each lane reads its entities in and `--lanes` the threads folding at once (replay's
 * defaults when absent); `--reuse` keeps the database of the last run and its events.
 * `--profile` writes a CPU profile of the runs alone (not of the load, nor of the lanes' threads)
 * to var/bench/profiles/replay-<time>.cpuprofile, for Chrome DevTools or speedscope.
 */
const { values } = parseArgs({
  options: {
    months: { type: 'string', default: '2' },
    runs: { type: 'string', default: '3' },
    profile: { type: 'boolean', default: false },
    shards: { type: 'string' },
    lanes: { type: 'string' },
    reuse: { type: 'boolean', default: false },
  },
});
// `BENCH_NAME` names the database, so two checkouts benchmarking replay on one machine do not drop each other's.
const DATABASE = `${process.env.BENCH_NAME ?? 'rollcall_bench'}_replay`;
if (!/^[a-z][a-z0-9_]*$/.test(DATABASE)) throw new Error('BENCH_NAME: lowercase letters, digits and _');
const services = await resolveBackingServices({ allowContainers: true, onProgress: (m) => console.error(m) });
const url = new URL(services.databaseUrl);
url.pathname = `/${DATABASE}`;
if (!values.reuse) await recreateDatabase(url.toString());
const db = createDatabase(url.toString(), { maxConnections: 4, applicationName: 'rollcall-bench-replay' });
try {
  let loaded: number;
  if (values.reuse) loaded = await countStoredEvents(db);
  else {
    await migrateToLatest(db);
    await loadReferenceIntoDatabase(db, loadReferenceData());
    loaded = await loadHistory(url.toString(), monthsEndingAt('2024-01', Number(values.months)), (month, n) =>
      console.error(`loaded ${month}: ${n.toLocaleString('en-GB')} events`),
    );
    await sql`analyze`.execute(db);
  }
  const calendar = createCalendar('Europe/London');
  const profiler = values.profile ? await startProfiler() : undefined;
  console.log(
    `replay of ${loaded.toLocaleString('en-GB')} events in ${values.shards ?? "replay's default number of"} shard(s)`,
  );
  console.log(
    'run  events/s  seconds (first events, read, write)  CPU-µs/event (replay + PostgreSQL)  WAL B/event  rows differing',
  );
  for (let run = 1; run <= Number(values.runs); run++) {
    const meter = await startCostMeter(db, { database: DATABASE, rollcallPids: () => [], includeSelf: true });
    const result = await replayAggregates(db, calendar, {
      ...(values.shards === undefined ? {} : { shards: Number(values.shards) }),
      ...(values.lanes === undefined ? {} : { lanes: Number(values.lanes) }),
    });
    const cost = await meter.stop(result.events);
    const micros = (n: number | null) => (n === null ? 'n/a' : n.toFixed(1));
    console.log(
      [
        String(run).padEnd(3),
        Math.round(result.events / result.seconds)
          .toLocaleString('en-GB')
          .padStart(9),
        `${result.seconds.toFixed(2)} (${result.firstEventsSeconds.toFixed(2)}, ${result.readSeconds.toFixed(2)}, ${(result.seconds - result.readSeconds).toFixed(2)})`.padStart(
          34,
        ),
        `${micros(cost.cpuMicrosPerEvent)} (${micros(cost.rollcallCpuMicrosPerEvent)} + ${micros(cost.postgresCpuMicrosPerEvent)})`.padStart(
          36,
        ),
        cost.walBytesPerEvent.toFixed(0).padStart(12),
        // The first run builds the aggregates from nothing; later runs must find nothing to change.
        String(result.changedRows).padStart(15),
      ].join('  '),
    );
  }
  if (profiler) console.log(`profile: ${await profiler.stop()}`);
} finally {
  await db.destroy();
  await services.stop();
}

/** V8's sampling profiler in this process, from now until `stop` (which writes the profile and returns its path). */
async function startProfiler(): Promise<{ stop(): Promise<string> }> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    async stop() {
      const { profile } = await session.post('Profiler.stop');
      await mkdir('var/bench/profiles', { recursive: true });
      const path = `var/bench/profiles/replay-${new Date().toISOString().replaceAll(':', '-')}.cpuprofile`;
      await writeFile(path, JSON.stringify(profile));
      session.disconnect();
      return path;
    },
  };
}
