import { writeFile } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FEEDS, type FeedEvent } from '@rollcall/contract';
import { createSilentLogger } from '@rollcall/logger';
import { publishSnapshot } from '@rollcall/publishing';
import { feedQueueName } from '@rollcall/queue';
import { codeVersion } from '@rollcall/runtime';
import type { Db } from '@rollcall/db';
import { sql } from 'kysely';
import {
  BENCH_DATABASE,
  copyBenchDatabase,
  dropBenchDatabase,
  openBenchContext,
  openPostgresQueueBenchContext,
} from './bench-context.ts';
import { type CostMeasurement, startCostMeter } from './cost-meter.ts';
import { BENCH_FORCE, benchMonths, countEvents, monthsEndingAt } from './bench-events.ts';
import { measureCliMemory } from './cli-memory.ts';
import { copyRow, measureCopyBaseline } from './copy-baseline.ts';
import { measureFreshness } from './freshness.ts';
import { loadHistory } from './history-loader.ts';
import { measureNaiveBaseline } from './naive-baseline.ts';
import { measureQueuePath, queueBackendRows, type QueuePathFigures } from './queue-backends.ts';
import { buildServices } from './process-memory.ts';
import { ensureBenchPartitions, measureClusterIngest } from './cluster-ingest.ts';
import { runReplayCommand } from './replay-command-run.ts';
import { measureRollcallIngest, startWorkerProcess } from './rollcall-ingest.ts';

/**
 * `pnpm bench`: the speed and scale figures of quality.md, each against a baseline measured in
 * the same run on the same machine (absolute times drift on a shared machine; ratios do not).
 *
 *   pnpm bench                 1,000,000 events, 3 years of history, 256 MB and 1 GB files (about 12 min)
 *   pnpm bench --quick         200,000 events, 1 year of history, 100 MB and 400 MB files
 *   --topologies single,cluster  also measures sustained ingest on a Redis Cluster (3 + 3, started
 *                              for the run), with the same events and worker processes
 *   --ingest-only              only the sustained-ingest figures (and their baselines)
 *   --freshness-only           the sustained ingest, then only the freshness figures (a quick loop
 *                              for work on latency; with --quick about 3 minutes)
 *   pnpm bench --queue-backend postgres
 *                              also ingest, freshness and replay with the queues in PostgreSQL
 *                              (QUEUE_BACKEND=postgres), side by side with Redis in one table
 */
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    months: { type: 'string' },
    'history-months': { type: 'string' },
    'file-mb': { type: 'string' },
    'naive-events': { type: 'string' },
    concurrency: { type: 'string', default: '2' },
    workers: { type: 'string', default: '2' },
    topologies: { type: 'string', default: 'single' },
    'ingest-only': { type: 'boolean', default: false },
    'freshness-only': { type: 'boolean', default: false },
    'queue-backend': { type: 'string', default: 'redis' },
  },
});
const topologies = new Set((values.topologies ?? 'single').split(',').map((name) => name.trim()));
for (const name of topologies)
  if (name !== 'single' && name !== 'cluster') throw new Error(`--topologies: single or cluster, not ${name}`);
const ingestOnly = values['ingest-only'] === true;
const freshnessOnly = values['freshness-only'] === true;
if (values['queue-backend'] !== 'redis' && values['queue-backend'] !== 'postgres')
  throw new Error(`--queue-backend must be redis or postgres (got ${JSON.stringify(values['queue-backend'])})`);
/** With `postgres`, the queue-path figures are measured a second time on PostgreSQL queues. */
const compareWithPostgresQueues = values['queue-backend'] === 'postgres';
if (compareWithPostgresQueues && ingestOnly)
  throw new Error('--queue-backend postgres compares freshness and replay too: not with --ingest-only');
const quick = values.quick === true;
const liveMonths = Number(values.months ?? (quick ? 1 : 5));
const historyMonths = Number(values['history-months'] ?? (quick ? 11 : 31));
/** The CLI streams a file of this size and one of a quarter of it: flat means peak RSS does not grow with the file. */
const fileMb = Number(values['file-mb'] ?? (quick ? 400 : 1024));
const naiveEvents = Number(values['naive-events'] ?? 20_000);
const concurrency = Number(values.concurrency);
const workerProcesses = Number(values.workers);
const say = (text: string) => console.error(text);
const round = (n: number, digits = 0) => Number(n.toFixed(digits));
const roundOrNull = (n: number | null) => (n === null ? null : round(n));
const rounded = (cost: CostMeasurement): CostMeasurement => ({
  ...cost,
  seconds: round(cost.seconds, 1),
  rollcallCpuMicrosPerEvent: roundOrNull(cost.rollcallCpuMicrosPerEvent),
  postgresCpuMicrosPerEvent: roundOrNull(cost.postgresCpuMicrosPerEvent),
  cpuMicrosPerEvent: roundOrNull(cost.cpuMicrosPerEvent),
  walBytesPerEvent: round(cost.walBytesPerEvent),
});

const context = await openBenchContext();
const results: Record<string, unknown> = {
  machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
  codeVersion: codeVersion(),
};
try {
  // 0. The worker and the CLI run as deployed: compiled bundles, not TypeScript through tsx.
  say('building the worker and CLI bundles');
  await buildServices(['worker', 'cli']);

  // 1. The event set: months of Avon and Somerset at real volume, queued in jobs of 1,000, and the
  //    same rows written out for the COPY baseline.
  const months = monthsEndingAt('2024-01', liveMonths);
  // Every month the run writes has its partition, as the nightly run and migration 16 leave a
  // deployment (history, these months, the two freshness months), rather than all in DEFAULT.
  const benchPartitionMonths = [...monthsEndingAt(months[0]!, historyMonths + 1), ...months, '2024-02', '2024-03'];
  await ensureBenchPartitions(context.db, benchPartitionMonths);
  const csvPath = join(context.dir, 'events.csv');
  const csv = createWriteStream(csvPath);
  let offered = 0;
  let naiveSample: FeedEvent[] = [];
  const enqueueStarted = performance.now();
  for (const { month, byFeed } of benchMonths(months)) {
    for (const feed of FEEDS) {
      const events = byFeed[feed];
      for (let i = 0; i < events.length; i += 1_000)
        await context.queues.add('feed-batch', feedQueueName(feed), { events: events.slice(i, i + 1_000) });
      for (const event of events) if (!csv.write(copyRow(event))) await once(csv, 'drain');
    }
    if (naiveSample.length === 0)
      naiveSample = FEEDS.flatMap((feed) => byFeed[feed])
        .slice(0, naiveEvents)
        .map((e) => ({ ...e, eventId: `naive-${e.eventId}` }));
    offered += countEvents(byFeed);
    say(`queued ${month}: ${offered.toLocaleString('en-GB')} events so far`);
  }
  csv.end();
  await once(csv, 'finish');
  results.events = { offered, months, queueSeconds: round((performance.now() - enqueueStarted) / 1000, 1) };

  // 2. Baselines.
  say('baseline: raw COPY of the same rows into an indexed table');
  const copyMeter = await startCostMeter(context.db, { database: BENCH_DATABASE, rollcallPids: () => [] });
  const copy = await measureCopyBaseline(context.databaseUrl, csvPath, offered);
  const copyCost = await copyMeter.stop(offered);
  say(
    `baseline: naive pipeline (one job and one INSERT per event), ${naiveSample.length.toLocaleString('en-GB')} events`,
  );
  const naive = await measureNaiveBaseline(context, naiveSample);

  // 3. Sustained ingest by a worker process, everything already queued.
  say(
    `rollcall: ${offered.toLocaleString('en-GB')} events from the queues (${workerProcesses} worker process(es), concurrency ${concurrency} per feed)`,
  );
  let workerPids: number[] = [];
  const ingestMeter = await startCostMeter(context.db, { database: BENCH_DATABASE, rollcallPids: () => workerPids });
  const ingest = await measureRollcallIngest(context, offered, () => {
    const started = Array.from({ length: workerProcesses }, () => startWorkerProcess(context, concurrency));
    workerPids = started.flatMap((worker) => (worker.child.pid === undefined ? [] : [worker.child.pid]));
    return started;
  });
  const ingestCost = await ingestMeter.stop(ingest.accounting.stored);
  const peakOfWorkers = () => Math.max(...ingest.processes.map((p) => p.peakRssMb()));
  const workerPeakMb = peakOfWorkers();
  results.ingest = {
    eventsPerSecond: round(ingest.eventsPerSecond),
    seconds: round(ingest.seconds, 1),
    accounting: ingest.accounting,
    naiveEventsPerSecond: round(naive.eventsPerSecond),
    copyRowsPerSecond: round(copy.rowsPerSecond),
    workerProcesses,
    concurrencyPerFeed: concurrency,
    timesNaive: round(ingest.eventsPerSecond / naive.eventsPerSecond, 1),
    fractionOfCopy: round(ingest.eventsPerSecond / copy.rowsPerSecond, 3),
    workerPeakRssMb: round(workerPeakMb),
    cost: rounded(ingestCost),
    copyCost: rounded(copyCost),
  };
  say(JSON.stringify(results.ingest));

  if (ingestOnly) await Promise.all(ingest.processes.map((p) => p.stop()));
  else if (freshnessOnly) {
    await measureFreshnessFigures(ingest);
    await Promise.all(ingest.processes.map((p) => p.stop()));
  } else await measureTheRest(ingest);

  // 8. The same sustained ingest on a Redis Cluster, beside the single server's.
  if (topologies.has('cluster')) {
    say(`rollcall on a Redis Cluster: the same ${months.length} month(s), ${workerProcesses} worker process(es)`);
    const cluster = await measureClusterIngest({
      serverDatabaseUrl: context.databaseUrl,
      months,
      workerProcesses,
      concurrency,
      partitionMonths: benchPartitionMonths,
      say,
    });
    results.ingestCluster = {
      eventsPerSecond: round(cluster.eventsPerSecond),
      seconds: round(cluster.seconds, 1),
      accounting: cluster.accounting,
      workerPeakRssMb: round(cluster.workerPeakRssMb),
      ofSingleServer: round(cluster.eventsPerSecond / ingest.eventsPerSecond, 2),
    };
    say(JSON.stringify(results.ingestCluster));
  }

  // 9. The queue path again with the queues in PostgreSQL: the same events, workers and clocks.
  if (compareWithPostgresQueues) {
    say(`queues on PostgreSQL: the same ${offered.toLocaleString('en-GB')} events, freshness and replay`);
    const pgContext = await openPostgresQueueBenchContext(context.databaseUrl);
    try {
      await ensureBenchPartitions(pgContext.db, benchPartitionMonths);
      const postgres = await measureQueuePath(pgContext, { months, workerProcesses, concurrency }, say);
      const ingestResult = results.ingest as {
        eventsPerSecond: number;
        seconds: number;
        accounting: QueuePathFigures['accounting'];
      };
      const fresh = results.freshness as QueuePathFigures['freshness'];
      const below = results.freshnessBelowCapacity as QueuePathFigures['freshnessBelowCapacity'];
      const replayResult = results.replay as { eventsPerSecond: number; rowsDifferingFromLive: number };
      const redis: QueuePathFigures = {
        offered,
        ingestEventsPerSecond: ingestResult.eventsPerSecond,
        ingestSeconds: ingestResult.seconds,
        accounting: ingestResult.accounting,
        freshness: fresh,
        freshnessBelowCapacity: below,
        replayEventsPerSecond: replayResult.eventsPerSecond,
        replayRowsDifferingFromLive: replayResult.rowsDifferingFromLive,
      };
      results.queueBackends = { redis, postgres };
      say(JSON.stringify(results.queueBackends));
    } finally {
      await pgContext.close();
    }
  }

  /** Step 4, after the ingest, with the same worker processes. */
  async function measureFreshnessFigures(ingest: Awaited<ReturnType<typeof measureRollcallIngest>>): Promise<void> {
    // 4. Freshness at a steady 10,000 events/s, the same worker process still running.
    say('freshness: 10,000 events/s for 15 s');
    const freshEvents = [...benchMonths(['2024-02'], { scale: 0.5 })].flatMap(({ byFeed }) =>
      FEEDS.flatMap((feed) => byFeed[feed]),
    );
    const freshness = await measureFreshness(context, freshEvents, {
      eventsPerSecond: 10_000,
      jobSize: 100,
      seconds: 15,
    });
    results.freshness = {
      ...freshness,
      p50: round(freshness.p50),
      p95: round(freshness.p95),
      p99: round(freshness.p99),
      max: round(freshness.max),
      rate: round(freshness.rate),
    };
    say(JSON.stringify(results.freshness));
    // The same at half the sustained rate just measured: the latency of the work itself, when no
    // queue forms (above capacity p99 only measures the queue).
    const sustainable = Math.max(1_000, Math.floor((ingest.eventsPerSecond * 0.5) / 1_000) * 1_000);
    say(`freshness: ${sustainable.toLocaleString('en-GB')} events/s for 15 s (half the sustained rate)`);
    const belowCapacityEvents = [...benchMonths(['2024-03'], { scale: 0.5 })].flatMap(({ byFeed }) =>
      FEEDS.flatMap((feed) => byFeed[feed]),
    );
    const belowCapacity = await measureFreshness(context, belowCapacityEvents, {
      eventsPerSecond: sustainable,
      jobSize: 100,
      seconds: 15,
    });
    results.freshnessBelowCapacity = {
      p50: round(belowCapacity.p50),
      p95: round(belowCapacity.p95),
      p99: round(belowCapacity.p99),
      max: round(belowCapacity.max),
      rate: round(belowCapacity.rate),
    };
    say(JSON.stringify(results.freshnessBelowCapacity));
    results.ingest = { ...(results.ingest as object), workerPeakRssMbAfterFreshness: round(peakOfWorkers()) };
  }

  /** Steps 4 to 7, after the ingest, on the same database and worker processes. */
  async function measureTheRest(ingest: Awaited<ReturnType<typeof measureRollcallIngest>>): Promise<void> {
    await measureFreshnessFigures(ingest);
    await Promise.all(ingest.processes.map((p) => p.stop()));

    // 5. Replay over what the worker stored: speed, and equality with live processing, by the
    //    `rollcall replay` command as deployed (the compiled CLI in a process of its own).
    say('replay over the stored events (rollcall replay)');
    const replay = await runReplayCommand(context);
    // The same replay again: the first read of rows just ingested also sets their hint bits (each
    // row's commit looked up once), which an operator's replay of settled history does not pay.
    // Shown beside the figure, not instead of it.
    const again = await runReplayCommand(context);
    results.replay = {
      cost: rounded(replay.cost),
      events: replay.result.events,
      eventsPerSecond: round(replay.result.events / replay.result.seconds),
      seconds: round(replay.result.seconds, 1),
      firstEventsSeconds: round(replay.result.firstEventsSeconds, 2),
      rowsDifferingFromLive: replay.result.changedRows,
      secondRunEventsPerSecond: round(again.result.events / again.result.seconds),
      secondRunCost: rounded(again.cost),
    };
    say(JSON.stringify(results.replay));

    // 6. Snapshot cost with these months, then with three years of history.
    const publishDeps = {
      db: context.db,
      snapshotDir: null,
      disclosure: { maxSuppressedCount: 4 },
      timeZone: 'Europe/London',
      log: createSilentLogger(),
    };
    /** Median of five `publishSnapshot`s of the bench force's month on `db` (another database, or the bench's own). */
    const timeSnapshot = async (db: Db = context.db) => {
      // Statistics as autovacuum leaves them within a minute of a bulk load in production: without
      // them the planner guesses tens of rows for the period sums and sorts instead of hashing.
      await sql`analyze`.execute(db);
      const times: number[] = [];
      for (let i = 0; i < 5; i++) times.push(await timeOneSnapshot(db));
      return medianOf(times);
    };
    /** The middle of five times. */
    const medianOf = (times: number[]) => times.sort((a, b) => a - b)[2]!;
    const timeOneSnapshot = async (db: Db) => {
      const started = performance.now();
      await publishSnapshot({ ...publishDeps, db }, BENCH_FORCE, '2024-01-31');
      return performance.now() - started;
    };
    const countStored = async () =>
      Number((await sql<{ n: string }>`select count(*) as n from events`.execute(context.db)).rows[0]?.n);
    const aggregateRows = async () =>
      Number((await sql<{ n: string }>`select count(*) as n from daily_aggregates`.execute(context.db)).rows[0]?.n);
    const small = {
      events: await countStored(),
      aggregateRows: await aggregateRows(),
      medianMs: round(await timeSnapshot()),
    };
    say(`snapshot with ${months.length} months: ${JSON.stringify(small)}`);
    // The live months kept aside as they are, so that both figures are measured again side by
    // side once the history is in: minutes apart, this machine's speed moved one of them by 20-30 %
    // and the flatness ratio with it (x2.41 once, with nothing in the snapshot's path changed).
    const liveOnly = await copyBenchDatabase(context.databaseUrl, `${BENCH_DATABASE}_live_only`);
    say(
      `loading ${historyMonths} months of history before ${months[0]} (prepared as the workers do, copied, then replayed)`,
    );
    const historyStarted = performance.now();
    await loadHistory(
      context.databaseUrl,
      monthsEndingAt(months[0]!, historyMonths + 1).slice(0, historyMonths),
      (month, n) => say(`  ${month}: ${n.toLocaleString('en-GB')}`),
    );
    const historyReplay = await runReplayCommand(context);
    const historyLoadSeconds = round((performance.now() - historyStarted) / 1000);
    // Again, as over the live months: the first replay of the history also writes its aggregates
    // (it is how the load makes them) and sets the hint bits of rows just copied in.
    const historyAgain = await runReplayCommand(context);
    // Both states alternately, five times each, after one warm-up each (and statistics for both).
    await sql`analyze`.execute(context.db);
    await sql`analyze`.execute(liveOnly.db);
    await timeOneSnapshot(liveOnly.db);
    await timeOneSnapshot(context.db);
    const sideBySide = { small: [] as number[], large: [] as number[] };
    for (let i = 0; i < 5; i++) {
      sideBySide.small.push(await timeOneSnapshot(liveOnly.db));
      sideBySide.large.push(await timeOneSnapshot(context.db));
    }
    await liveOnly.db.destroy();
    await dropBenchDatabase(liveOnly.databaseUrl);
    const large = {
      events: await countStored(),
      aggregateRows: await aggregateRows(),
      medianMs: round(medianOf(sideBySide.large)),
    };
    const smallSideBySide = round(medianOf(sideBySide.small));
    results.snapshot = {
      small: { ...small, medianMs: smallSideBySide, medianMsBeforeHistory: small.medianMs },
      large,
      growth: round(large.medianMs / smallSideBySide, 2),
      historyLoadSeconds,
      replayOfHistory: {
        events: historyReplay.result.events,
        eventsPerSecond: round(historyReplay.result.events / historyReplay.result.seconds),
        cost: rounded(historyReplay.cost),
        secondRunEventsPerSecond: round(historyAgain.result.events / historyAgain.result.seconds),
        secondRunCost: rounded(historyAgain.cost),
        secondRunRowsDifferingFromLive: historyAgain.result.changedRows,
      },
    };
    say(JSON.stringify(results.snapshot));

    // 7. The ingest command streaming a large file.
    const cliRun = async (megabytes: number) => {
      say(`CLI memory: rollcall ingest of a ${megabytes} MB file`);
      const run = await measureCliMemory(context, megabytes);
      return {
        ...run,
        fileMb: round(run.fileMb),
        seconds: round(run.seconds, 1),
        linesPerSecond: round(run.linesPerSecond),
        rssMb: Object.fromEntries(Object.entries(run.rssMb).map(([k, v]) => [k, round(v)])),
      };
    };
    const smallFile = await cliRun(Math.round(fileMb / 4));
    const largeFile = await cliRun(fileMb);
    results.cli = { smallFile, largeFile, peakGrowth: round(largeFile.rssMb.max! / smallFile.rssMb.max!, 2) };
    say(JSON.stringify(results.cli));
  }
} finally {
  await context.close();
}

const ingest = results.ingest as {
  cost: CostMeasurement;
  copyCost: CostMeasurement;
  eventsPerSecond: number;
  timesNaive: number;
  fractionOfCopy: number;
  naiveEventsPerSecond: number;
  copyRowsPerSecond: number;
  workerPeakRssMb: number;
  workerPeakRssMbAfterFreshness: number;
};
const ingestCluster = results.ingestCluster as
  { eventsPerSecond: number; seconds: number; ofSingleServer: number; accounting: { stored: number } } | undefined;
const micros = (
  cost: CostMeasurement,
  key: 'cpuMicrosPerEvent' | 'rollcallCpuMicrosPerEvent' | 'postgresCpuMicrosPerEvent' = 'cpuMicrosPerEvent',
) => (cost[key] === null ? 'n/a' : `${cost[key]} CPU-µs`);
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT MET');
const rows: string[][] = [
  [
    'sustained ingest',
    `${ingest.eventsPerSecond.toLocaleString('en-GB')} events/s`,
    `naive ${ingest.naiveEventsPerSecond.toLocaleString('en-GB')}/s; COPY ${ingest.copyRowsPerSecond.toLocaleString('en-GB')} rows/s`,
    `${ingest.timesNaive}x naive; ${ingest.fractionOfCopy}x COPY`,
    '>= 10x naive and >= 0.3x COPY',
    verdict(ingest.timesNaive >= 10 && ingest.fractionOfCopy >= 0.3),
  ],
  [
    'cost per event, ingest',
    `${micros(ingest.cost)} (Rollcall ${micros(ingest.cost, 'rollcallCpuMicrosPerEvent')}, PostgreSQL ${micros(ingest.cost, 'postgresCpuMicrosPerEvent')}), WAL ${ingest.cost.walBytesPerEvent.toLocaleString('en-GB')} B`,
    `COPY: PostgreSQL ${micros(ingest.copyCost, 'postgresCpuMicrosPerEvent')}, WAL ${ingest.copyCost.walBytesPerEvent.toLocaleString('en-GB')} B per row`,
    ingest.cost.cpuMicrosPerEvent === null || !ingest.copyCost.postgresCpuMicrosPerEvent
      ? ''
      : `x${round(ingest.cost.cpuMicrosPerEvent / ingest.copyCost.postgresCpuMicrosPerEvent, 1)} COPY's CPU`,
    '<= 70 CPU-µs per event (workers + PostgreSQL)',
    verdict(ingest.cost.cpuMicrosPerEvent !== null && ingest.cost.cpuMicrosPerEvent <= 70),
  ],
];
if (ingestCluster !== undefined)
  rows.push([
    'ingest, Redis Cluster',
    `${ingestCluster.eventsPerSecond.toLocaleString('en-GB')} events/s (${ingestCluster.accounting.stored.toLocaleString('en-GB')} stored)`,
    `one server ${ingest.eventsPerSecond.toLocaleString('en-GB')}/s`,
    `${ingestCluster.ofSingleServer}x one server`,
    'reported beside one server',
    '',
  ]);
if (freshnessOnly) rows.push(freshnessRow());
else if (!ingestOnly) rows.push(freshnessRow(), ...restRows());

/** The row of step 4. */
function freshnessRow(): string[] {
  const freshness = results.freshness as { p99: number; rate: number };
  const freshnessBelowCapacity = results.freshnessBelowCapacity as { p99: number; rate: number };
  return [
    'freshness',
    `p99 ${freshness.p99} ms at ${freshness.rate.toLocaleString('en-GB')} events/s`,
    `p99 ${freshnessBelowCapacity.p99} ms at ${freshnessBelowCapacity.rate.toLocaleString('en-GB')}/s`,
    '',
    'p99 < 1 s at 10,000/s',
    verdict(freshness.p99 < 1_000 && freshness.rate >= 9_500),
  ];
}

/** The rows of steps 5 to 7. */
function restRows(): string[][] {
  const replay = results.replay as {
    cost: CostMeasurement;
    eventsPerSecond: number;
    rowsDifferingFromLive: number;
    events: number;
    secondRunEventsPerSecond: number;
  };
  const snapshot = results.snapshot as {
    small: { events: number; medianMs: number; medianMsBeforeHistory: number };
    large: { events: number; medianMs: number };
    growth: number;
    replayOfHistory: { events: number; eventsPerSecond: number; secondRunEventsPerSecond: number };
  };
  type CliRun = { fileMb: number; rssMb: { max: number } };
  const cli = results.cli as { smallFile: CliRun; largeFile: CliRun; peakGrowth: number };

  return [
    [
      'snapshot cost',
      `${snapshot.small.medianMs} ms (${snapshot.small.events.toLocaleString('en-GB')} events; ${snapshot.small.medianMsBeforeHistory} ms before the history's load); ${snapshot.large.medianMs} ms (${snapshot.large.events.toLocaleString('en-GB')}), measured alternately`,
      '',
      `x${snapshot.growth} for x${round(snapshot.large.events / snapshot.small.events, 1)} events`,
      '< 1 s, not growing with events',
      verdict(snapshot.large.medianMs < 1_000 && snapshot.growth < snapshot.large.events / snapshot.small.events / 2),
    ],
    [
      'memory',
      `worker peak ${ingest.workerPeakRssMbAfterFreshness} MB; CLI peak ${cli.smallFile.rssMb.max} MB (${cli.smallFile.fileMb} MB file), ${cli.largeFile.rssMb.max} MB (${cli.largeFile.fileMb} MB)`,
      '',
      `CLI x${cli.peakGrowth} for x4 file`,
      'worker < 300 MB; CLI flat',
      verdict(ingest.workerPeakRssMbAfterFreshness < 300 && cli.peakGrowth <= 1.25),
    ],
    [
      'replay',
      `${replay.eventsPerSecond.toLocaleString('en-GB')} events/s over ${replay.events.toLocaleString('en-GB')} (again: ${replay.secondRunEventsPerSecond.toLocaleString('en-GB')}/s); ${micros(replay.cost)}, WAL ${replay.cost.walBytesPerEvent.toLocaleString('en-GB')} B per event; with the history, ${snapshot.replayOfHistory.eventsPerSecond.toLocaleString('en-GB')}/s over ${snapshot.replayOfHistory.events.toLocaleString('en-GB')} (again: ${snapshot.replayOfHistory.secondRunEventsPerSecond.toLocaleString('en-GB')}/s)`,
      '',
      `${replay.rowsDifferingFromLive} rows differ from live`,
      '>= 200,000/s, equals live',
      verdict(
        replay.eventsPerSecond >= 200_000 &&
          snapshot.replayOfHistory.eventsPerSecond >= 200_000 &&
          replay.rowsDifferingFromLive === 0,
      ),
    ],
  ];
}
const widths = rows[0]!.map((_, c) =>
  Math.max(...rows.map((r) => r[c]!.length), ['figure', 'measured', 'baseline', 'ratio', 'bar', ''][c]!.length),
);
const line = (cells: readonly string[]) => cells.map((cell, c) => cell.padEnd(widths[c]!)).join('  ');
console.log(line(['figure', 'measured', 'baseline', 'ratio', 'bar', '']));
for (const row of rows) console.log(line(row));
if (results.queueBackends) {
  const { redis, postgres } = results.queueBackends as { redis: QueuePathFigures; postgres: QueuePathFigures };
  const backendRows = queueBackendRows(redis, postgres);
  const header = ['queue backend', 'Redis', 'PostgreSQL', 'PostgreSQL / Redis'];
  const backendWidths = header.map((title, c) => Math.max(title.length, ...backendRows.map((r) => r[c]!.length)));
  const backendLine = (cells: readonly string[]) => cells.map((cell, c) => cell.padEnd(backendWidths[c]!)).join('  ');
  console.log(`\n${backendLine(header)}`);
  for (const row of backendRows) console.log(backendLine(row));
}
const file = join('var/bench', `results-${new Date().toISOString().replaceAll(':', '-')}.json`);
await writeFile(file, `${JSON.stringify(results, null, 2)}\n`);
console.log(`\nfull results: ${file}`);
process.exit(0);
