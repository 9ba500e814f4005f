import { BENCH_DATABASE, type QueueBenchContext } from './bench-context.ts';
import { type CostMeasurement, startCostMeter } from './cost-meter.ts';
import { exitOf, spawnRollcall } from './process-memory.ts';

/** What `rollcall replay --format json` prints (`ReplayResult`, and the range). */
export interface ReplayCommandResult {
  readonly events: number;
  readonly entities: number;
  readonly aggregateRows: number;
  readonly changedRows: number;
  readonly seconds: number;
  readonly firstEventsSeconds: number;
  readonly readSeconds: number;
}

/**
 * `rollcall replay` over everything stored, run as an operator runs it: the compiled CLI in a
 * process of its own (like the workers and the ingest command here), not `replayAggregates` in
 * the benchmark's process, whose heap holds what the earlier steps left and whose code runs
 * through tsx. Its CPU is the child's whole CPU time, read when it has exited; PostgreSQL's as
 * elsewhere.
 */
export async function runReplayCommand(
  context: Pick<QueueBenchContext, 'db' | 'env'>,
  database = BENCH_DATABASE,
): Promise<{ result: ReplayCommandResult; cost: CostMeasurement }> {
  const meter = await startCostMeter(context.db, { database, rollcallPids: () => [], includeExitedChildren: true });
  const child = spawnRollcall('cli', ['replay', '--format', 'json'], context.env);
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => (stdout += text));
  // Progress lines go to stderr; the tail is kept for an error message.
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (stderr = (stderr + text).slice(-4_000)));
  const code = await exitOf(child);
  if (code !== 0) throw new Error(`rollcall replay exited ${code}: ${stderr}`);
  const result = JSON.parse(stdout) as ReplayCommandResult;
  return { result, cost: await meter.stop(result.events) };
}
