import { FEEDS } from '@rollcall/contract';
import { feedQueueName } from '@rollcall/queue';
import { BENCH_DATABASE, type QueueBenchContext } from './bench-context.ts';
import { benchMonths, countEvents } from './bench-events.ts';
import { measureFreshness } from './freshness.ts';
import { runReplayCommand } from './replay-command-run.ts';
import { measureRollcallIngest, startWorkerProcess } from './rollcall-ingest.ts';

/** The figures that depend on where the queues are, for one backend. */
export interface QueuePathFigures {
  readonly offered: number;
  readonly ingestEventsPerSecond: number;
  readonly ingestSeconds: number;
  readonly accounting: { offered: number; stored: number; duplicate: number; rejected: number };
  readonly freshness: { p50: number; p95: number; p99: number; rate: number };
  readonly freshnessBelowCapacity: { p50: number; p95: number; p99: number; rate: number };
  readonly replayEventsPerSecond: number;
  readonly replayRowsDifferingFromLive: number;
}

const round = (n: number, digits = 0) => Number(n.toFixed(digits));
const percentiles = (f: { p50: number; p95: number; p99: number; rate: number }) => ({
  p50: round(f.p50),
  p95: round(f.p95),
  p99: round(f.p99),
  rate: round(f.rate),
});

/**
 * Sections 1, 3, 4 and 5 of main.ts (queue the months, sustained ingest by worker processes,
 * freshness at 10,000 events/s and at half the sustained rate, replay) on `context`'s queues: the
 * same events, the same worker bundle, the same clocks, so the two backends' figures compare.
 */
export async function measureQueuePath(
  context: QueueBenchContext,
  options: { readonly months: readonly string[]; readonly workerProcesses: number; readonly concurrency: number },
  say: (text: string) => void,
): Promise<QueuePathFigures> {
  let offered = 0;
  for (const { byFeed } of benchMonths(options.months)) {
    for (const feed of FEEDS) {
      const events = byFeed[feed];
      for (let i = 0; i < events.length; i += 1_000)
        await context.queues.add('feed-batch', feedQueueName(feed), { events: events.slice(i, i + 1_000) });
    }
    offered += countEvents(byFeed);
  }
  say(`  queued ${offered.toLocaleString('en-GB')} events`);
  const ingest = await measureRollcallIngest(context, offered, () =>
    Array.from({ length: options.workerProcesses }, () => startWorkerProcess(context, options.concurrency)),
  );
  say(`  ingest ${round(ingest.eventsPerSecond).toLocaleString('en-GB')} events/s`);
  const eventsOf = (month: string) =>
    [...benchMonths([month], { scale: 0.5 })].flatMap(({ byFeed }) => FEEDS.flatMap((feed) => byFeed[feed]));
  const freshness = await measureFreshness(context, eventsOf('2024-02'), {
    eventsPerSecond: 10_000,
    jobSize: 100,
    seconds: 15,
  });
  const sustainable = Math.max(1_000, Math.floor((ingest.eventsPerSecond * 0.5) / 1_000) * 1_000);
  const belowCapacity = await measureFreshness(context, eventsOf('2024-03'), {
    eventsPerSecond: sustainable,
    jobSize: 100,
    seconds: 15,
  });
  await Promise.all(ingest.processes.map((p) => p.stop()));
  const { result: replay } = await runReplayCommand(context, `${BENCH_DATABASE}_pgq`);
  return {
    offered,
    ingestEventsPerSecond: round(ingest.eventsPerSecond),
    ingestSeconds: round(ingest.seconds, 1),
    accounting: ingest.accounting,
    freshness: percentiles(freshness),
    freshnessBelowCapacity: percentiles(belowCapacity),
    replayEventsPerSecond: round(replay.events / replay.seconds),
    replayRowsDifferingFromLive: replay.changedRows,
  };
}

/** The side-by-side table: one row per figure, Redis and PostgreSQL queues, and their ratio. */
export function queueBackendRows(redis: QueuePathFigures, postgres: QueuePathFigures): string[][] {
  const n = (x: number) => x.toLocaleString('en-GB');
  const ratio = (a: number, b: number) => `x${(b / a).toFixed(2)}`;
  return [
    [
      'sustained ingest',
      `${n(redis.ingestEventsPerSecond)} events/s`,
      `${n(postgres.ingestEventsPerSecond)} events/s`,
      ratio(redis.ingestEventsPerSecond, postgres.ingestEventsPerSecond),
    ],
    [
      'freshness at 10,000/s',
      `p50 ${redis.freshness.p50} / p99 ${redis.freshness.p99} ms at ${n(redis.freshness.rate)}/s`,
      `p50 ${postgres.freshness.p50} / p99 ${postgres.freshness.p99} ms at ${n(postgres.freshness.rate)}/s`,
      ratio(redis.freshness.p99, postgres.freshness.p99),
    ],
    [
      'freshness below capacity',
      `p50 ${redis.freshnessBelowCapacity.p50} / p99 ${redis.freshnessBelowCapacity.p99} ms at ${n(redis.freshnessBelowCapacity.rate)}/s`,
      `p50 ${postgres.freshnessBelowCapacity.p50} / p99 ${postgres.freshnessBelowCapacity.p99} ms at ${n(postgres.freshnessBelowCapacity.rate)}/s`,
      ratio(redis.freshnessBelowCapacity.p99, postgres.freshnessBelowCapacity.p99),
    ],
    [
      'replay',
      `${n(redis.replayEventsPerSecond)} events/s, ${redis.replayRowsDifferingFromLive} rows differ`,
      `${n(postgres.replayEventsPerSecond)} events/s, ${postgres.replayRowsDifferingFromLive} rows differ`,
      ratio(redis.replayEventsPerSecond, postgres.replayEventsPerSecond),
    ],
  ];
}
