import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { parseArgs } from 'node:util';
import { createCalendar } from '@rollcall/calendar';
import { FEEDS, type FeedEvent } from '@rollcall/contract';
import {
  createDatabase,
  type Database,
  loadReferenceIntoDatabase,
  migrateToLatest,
  readAccounting,
  readForceIds,
} from '@rollcall/db';
import { createPseudonymiser, type IngestContext } from '@rollcall/intake';
import { loadReferenceData } from '@rollcall/reference';
import { MAX_EVENTS_PER_TRANSACTION, MAX_JOBS_PER_TRANSACTION, storeJobsTogether } from '@rollcall/store';
import { resolveBackingServices } from '@rollcall/backing-services';
import { Kysely, type LogEvent, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { BENCH_DATABASE, BENCH_PSEUDONYM_KEY } from './bench-context.ts';
import { benchMonths, monthsEndingAt } from './bench-events.ts';
import { ensureBenchPartitions } from './cluster-ingest.ts';
import { startCostMeter } from './cost-meter.ts';
import { measureSchemaFloor } from './schema-floor.ts';

/**
 * `pnpm bench:write-path`: the write path alone (issue 19), for profiling one change at a time.
 * One process calls `storeJobsTogether` directly, no queues, on simulated Avon and Somerset events
 * in jobs of 1,000 per feed as the workers get them (each job's inputs parsed from JSON, as BullMQ
 * hands them over), against a database of its own recreated on every run. The cost meter counts
 * this process and PostgreSQL: CPU-µs and WAL bytes per event.
 *
 * `--together N`: jobs of one feed stored N to a transaction, as a busy worker stores them (by
 * default as many as `MAX_EVENTS_PER_TRANSACTION` allows: 4 jobs of 1,000); 1 stores each alone.
 *
 *   node --import tsx tests/bench/write-path.ts [--scale 1] [--months 1] [--concurrency 1] [--together N]
 *     [--statements]
 *   node --import tsx tests/bench/write-path.ts --profile var/write-path.cpuprofile
 *   node --import tsx tests/bench/write-path.ts --floor
 *
 * `--statements` times every statement (wall time seen by this process, round trip included) and
 * prints the total per kind of statement, per event; it adds its own cost to the process figure.
 * `--profile <file>` writes a CPU profile of the measured window (open it in Chrome's DevTools).
 *
 * `--floor` then writes every row the run left, table by table, again by one COPY into an empty
 * copy of its table, and meters PostgreSQL as for the run (`measureSchemaFloor`): what the
 * database needs to make these rows durable, beside what the write path made it spend.
 *
 * `--alternate` measures a change against the code before it in one run, on a machine whose load
 * moves by more than the change: guard the change with `process.env.WRITE_PATH_VARIANT === 'b'`
 * (locally, never committed), and jobs alternate between `a` and `b` (concurrency 1). Each job's
 * CPU (this process, and the benchmark database's backends from /proc) is booked to its variant,
 * so both see the same load; background processes and WAL are left out, being server-wide.
 */
const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: '1' },
    months: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '1' },
    statements: { type: 'boolean', default: false },
    profile: { type: 'string' },
    alternate: { type: 'boolean', default: false },
    floor: { type: 'boolean', default: false },
    // Events per job: 1,000 as `rollcall ingest` sends them; 100 as the freshness figure offers them.
    'job-size': { type: 'string', default: '1000' },
    together: { type: 'string' },
  },
});
/** `<BENCH_NAME>_write`, so that two checkouts benchmarking on one machine keep their own database. */
const DATABASE = `${BENCH_DATABASE}_write`;
const JOB_SIZE = Number(values['job-size']);
if (!(Number.isInteger(JOB_SIZE) && JOB_SIZE >= 1 && JOB_SIZE <= 1_000)) throw new Error('--job-size: 1 to 1000');
/** Jobs per transaction: what `StorageSlots` takes together from a busy feed. */
const TOGETHER = Number(
  values.together ?? Math.min(MAX_JOBS_PER_TRANSACTION, Math.floor(MAX_EVENTS_PER_TRANSACTION / JOB_SIZE)),
);
if (!(Number.isInteger(TOGETHER) && TOGETHER >= 1 && TOGETHER <= MAX_JOBS_PER_TRANSACTION))
  throw new Error(`--together: 1 to ${MAX_JOBS_PER_TRANSACTION}`);

/** Statement wall times by kind (its first words), for `--statements`. */
const statementTimes = new Map<string, { count: number; ms: number; bytes: number }>();
const kindOf = (text: string) => {
  const words = text.replace(/\s+/g, ' ').trim();
  const target = /^(insert into \w+|update \w+|delete from \w+|with \w+|select .*? from (\w+))/i.exec(words);
  return (target?.[2] ? `select from ${target[2]}` : (target?.[1] ?? words.slice(0, 40))).toLowerCase();
};
const logStatement = (event: LogEvent) => {
  const kind = kindOf(event.query.sql);
  const entry = statementTimes.get(kind) ?? { count: 0, ms: 0, bytes: 0 };
  entry.count += 1;
  entry.ms += event.queryDurationMillis;
  entry.bytes += event.query.sql.length;
  for (const parameter of event.query.parameters) entry.bytes += typeof parameter === 'string' ? parameter.length : 8;
  statementTimes.set(kind, entry);
};

async function recreateDatabase(): Promise<string> {
  const services = await resolveBackingServices({ allowContainers: false, onProgress: (m) => console.error(m) });
  const admin = new URL(services.databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  client.on('error', () => undefined);
  await client.connect();
  await client.query(`drop database if exists ${DATABASE} with (force)`);
  await client.query(`create database ${DATABASE}`);
  await client.end();
  const url = new URL(services.databaseUrl);
  url.pathname = `/${DATABASE}`;
  return url.toString();
}

/** A CPU profile of the measured window only (not of the simulation before it), as `--cpu-prof` writes. */
async function startProfiler() {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return {
    stop: async () => {
      const { profile } = await session.post('Profiler.stop');
      session.disconnect();
      return JSON.stringify(profile);
    },
  };
}

/** The jobs of each feed, `TOGETHER` at a time in the order they come, for one transaction each. */
function transactionsOf(parsed: readonly { feed: (typeof FEEDS)[number]; events: unknown[] }[]) {
  const units: { feed: (typeof FEEDS)[number]; jobs: unknown[][] }[] = [];
  const filling = new Map<string, { feed: (typeof FEEDS)[number]; jobs: unknown[][] }>();
  for (const { feed, events } of parsed) {
    let unit = filling.get(feed);
    if (unit === undefined) {
      unit = { feed, jobs: [] };
      filling.set(feed, unit);
      units.push(unit);
    }
    unit.jobs.push(events);
    if (unit.jobs.length === TOGETHER) filling.delete(feed);
  }
  return units;
}

/** Jobs of up to 1,000 events, the feeds taken in turn (as four feed queues are drained side by side). */
function jobsOf(byFeed: Record<string, FeedEvent[]>) {
  const perFeed = FEEDS.map((feed) => {
    const events = byFeed[feed] ?? [];
    return Array.from({ length: Math.ceil(events.length / JOB_SIZE) }, (_, i) => ({
      feed,
      text: JSON.stringify(events.slice(i * JOB_SIZE, (i + 1) * JOB_SIZE)),
    }));
  });
  const jobs: { feed: (typeof FEEDS)[number]; text: string }[] = [];
  for (let i = 0; perFeed.some((list) => i < list.length); i++)
    for (const list of perFeed) if (i < list.length) jobs.push(list[i] as (typeof list)[number]);
  return jobs;
}

const databaseUrl = await recreateDatabase();
const setup = createDatabase(databaseUrl, { maxConnections: 2, applicationName: 'rollcall-bench-write' });
await migrateToLatest(setup);
await loadReferenceIntoDatabase(setup, loadReferenceData());
const db = values.statements
  ? new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl, max: 8 }) }),
      log: logStatement,
    })
  : createDatabase(databaseUrl, { maxConnections: 8, applicationName: 'rollcall-bench-write' });
const context: IngestContext = {
  calendar: createCalendar('Europe/London'),
  pseudonymise: createPseudonymiser(BENCH_PSEUDONYM_KEY),
  knownForces: await readForceIds(setup),
};

const months = monthsEndingAt('2024-01', Number(values.months));
// Every month the run writes has its partition (and the month either side, for late and early
// events), as the nightly run leaves a deployment, rather than all rows in DEFAULT.
await ensureBenchPartitions(setup, [...monthsEndingAt(months[0] ?? '2024-01', 2), ...months, '2024-02']);
const jobs = [...benchMonths(months, { scale: Number(values.scale) })].flatMap(({ byFeed }) => jobsOf(byFeed));
// The inputs as BullMQ hands them to a worker: parsed from the job's JSON, fresh objects.
const inputs = transactionsOf(jobs.map((job) => ({ feed: job.feed, events: JSON.parse(job.text) as unknown[] })));
const offered = inputs.reduce((sum, unit) => sum + unit.jobs.reduce((n, events) => n + events.length, 0), 0);
console.error(
  `${offered.toLocaleString('en-GB')} events in ${jobs.length} jobs, ${inputs.length} transactions; storing`,
);

const profiler = values.profile === undefined ? undefined : await startProfiler();
const meter = await startCostMeter(setup, { database: DATABASE, rollcallPids: () => [], includeSelf: true });
let next = 0;
const variants = { a: { process: 0, postgres: 0, stored: 0 }, b: { process: 0, postgres: 0, stored: 0 } };
const worker = async () => {
  for (let index = next++; index < inputs.length; index = next++) {
    const unit = inputs[index];
    if (unit === undefined) return;
    // Transactions take the feeds in turn: the variant flips every round too, so each feed's jobs alternate.
    const variant = (index + Math.floor(index / FEEDS.length)) % 2 === 0 ? 'a' : 'b';
    if (values.alternate) process.env.WRITE_PATH_VARIANT = variant;
    const before = values.alternate ? await cpuOfVariant() : undefined;
    const outcomes = await storeJobsTogether(
      db,
      unit.feed,
      unit.jobs.map((events, k) => ({
        inputs: events,
        source: `write-path job ${index}.${k}`,
        jobKey: `write-path:${index}.${k}`,
        startAt: index,
      })),
      context,
    );
    if (before !== undefined) {
      const after = await cpuOfVariant();
      variants[variant].process += after.process - before.process;
      variants[variant].postgres += after.postgres - before.postgres;
      variants[variant].stored += outcomes.reduce((sum, outcome) => sum + outcome.stored, 0);
    }
  }
};
/** CPU seconds so far of this process and of the benchmark database's backends (`--alternate`). */
async function cpuOfVariant() {
  const usage = process.cpuUsage();
  const backends = await sql<{ pid: number }>`
    select pid from pg_stat_activity where datname = ${DATABASE} and pid <> pg_backend_pid()`.execute(setup);
  let postgres = 0;
  for (const { pid } of backends.rows) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      postgres += (Number(fields[11]) + Number(fields[12])) / 100;
    } catch {
      // A backend that ended: its time is lost to both variants alike.
    }
  }
  return { process: (usage.user + usage.system) / 1e6, postgres };
}
if (values.alternate && values.concurrency !== '1') throw new Error('--alternate needs --concurrency 1');
await Promise.all(Array.from({ length: Number(values.concurrency) }, worker));
const accounting = await readAccounting(setup);
const sum = (key: 'offered' | 'stored' | 'duplicate' | 'rejected') =>
  accounting.reduce((total, row) => total + row[key], 0);
const cost = await meter.stop(sum('stored'));
if (profiler !== undefined && values.profile !== undefined) await writeFile(values.profile, await profiler.stop());

const format = (n: number | null, digits = 0) =>
  n === null ? 'n/a' : n.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });
console.log(
  [
    `events offered ${format(sum('offered'))}: stored ${format(sum('stored'))}, duplicate ${format(sum('duplicate'))}, rejected ${format(sum('rejected'))}`,
    `| figure | per event |`,
    `| --- | --- |`,
    `| CPU-µs, this process | ${format(cost.rollcallCpuMicrosPerEvent, 1)} |`,
    `| CPU-µs, PostgreSQL | ${format(cost.postgresCpuMicrosPerEvent, 1)} |`,
    `| CPU-µs, together | ${format(cost.cpuMicrosPerEvent, 1)} |`,
    `| WAL bytes | ${format(cost.walBytesPerEvent)} |`,
    `${format(cost.events / cost.seconds)} events/s (${format(cost.seconds, 1)} s, concurrency ${values.concurrency}, ${TOGETHER} job(s) per transaction)`,
  ].join('\n'),
);
if (values.alternate)
  for (const [name, v] of Object.entries(variants))
    console.log(
      `variant ${name}: ${format(v.stored)} events, CPU-µs per event: process ${format((v.process * 1e6) / v.stored, 1)}, PostgreSQL backends ${format((v.postgres * 1e6) / v.stored, 1)}, together ${format(((v.process + v.postgres) * 1e6) / v.stored, 1)}`,
    );
if (sum('offered') !== offered || sum('offered') !== sum('stored') + sum('duplicate') + sum('rejected'))
  throw new Error(`accounting does not add up: ${offered} offered, ${JSON.stringify(accounting)}`);
if (values.statements) {
  console.log('| statement | count | wall µs per event | characters sent per event |\n| --- | --- | --- | --- |');
  for (const [kind, { count, ms, bytes }] of [...statementTimes].sort(([, a], [, b]) => b.ms - a.ms))
    console.log(`| ${kind} | ${count} | ${format((ms * 1000) / offered, 1)} | ${format(bytes / offered)} |`);
}
if (values.floor) {
  const floors = await measureSchemaFloor(setup, databaseUrl, DATABASE, sum('stored'));
  let cpu = 0;
  let wal = 0;
  console.log(
    '| the same rows, one COPY per table | rows | PostgreSQL CPU-µs per event | WAL bytes per event |\n| --- | --- | --- | --- |',
  );
  for (const { table, rows, cost: floor } of floors) {
    cpu += floor.postgresCpuMicrosPerEvent ?? Number.NaN;
    wal += floor.walBytesPerEvent;
    console.log(
      `| ${table} | ${format(rows)} | ${format(floor.postgresCpuMicrosPerEvent, 1)} | ${format(floor.walBytesPerEvent)} |`,
    );
  }
  console.log(`| all | | ${format(cpu, 1)} | ${format(wal)} |`);
  if (cost.postgresCpuMicrosPerEvent !== null)
    console.log(
      `the write path: PostgreSQL ${format(cost.postgresCpuMicrosPerEvent / cpu, 1)}x its floor's CPU, ${format(cost.walBytesPerEvent / wal, 1)}x its WAL`,
    );
}
await db.destroy();
await setup.destroy();
