import type { ChildProcess } from 'node:child_process';
import { readAccounting } from '@rollcall/db';
import { FEED_QUEUE_NAMES, waitForQueuesDrained } from '@rollcall/queue';
import type { QueueBenchContext } from './bench-context.ts';
import { exitOf, residentMemoryMb, spawnRollcall } from './process-memory.ts';

export interface WorkerProcess {
  readonly child: ChildProcess;
  /** Peak resident memory so far, MB. */
  peakRssMb(): number;
  stop(): Promise<number | null>;
}

/** The worker service as deployed (its bundle, `services/worker/dist/main.mjs`), in a process of its own. */
export function startWorkerProcess(context: Pick<QueueBenchContext, 'env'>, concurrency: number): WorkerProcess {
  const child = spawnRollcall('worker', [], { ...context.env, WORKER_CONCURRENCY: String(concurrency) });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.once('exit', (code) => {
    if (code !== 0 && code !== null) console.error(`worker exited ${code}: ${stderr.slice(-2_000)}`);
  });
  return {
    child,
    peakRssMb: () => (child.pid === undefined ? 0 : (residentMemoryMb(child.pid)?.peak ?? 0)),
    stop: async () => {
      child.kill('SIGTERM');
      return exitOf(child);
    },
  };
}

/**
 * Sustained ingest: every event is already on the feed queues when a worker process starts; the
 * clock runs from the first job it takes until every queue is drained: validation, dedupe,
 * entity folding and daily aggregates, committed.
 */
export async function measureRollcallIngest(
  context: Pick<QueueBenchContext, 'db' | 'queues'>,
  offered: number,
  worker: () => WorkerProcess[],
) {
  const listener = context.queues.events(FEED_QUEUE_NAMES[0]!);
  await listener.events.waitUntilReady();
  const firstActive = new Promise<number>((resolve) =>
    listener.events.once('active', () => resolve(performance.now())),
  );
  const started = performance.now();
  const processes = worker();
  const drained = await waitForQueuesDrained(context.queues, FEED_QUEUE_NAMES, { timeoutMs: 3_600_000 });
  const ended = performance.now();
  const from = await Promise.race([firstActive, Promise.resolve(started)]);
  await listener.close();
  if (!drained.drained) throw new Error('the feed queues did not drain');
  const accounting = await readAccounting(context.db);
  const sum = (key: 'offered' | 'stored' | 'duplicate' | 'rejected') =>
    accounting.reduce((total, row) => total + row[key], 0);
  const seconds = (ended - from) / 1000;
  return {
    processes,
    eventsPerSecond: offered / seconds,
    seconds,
    startupSeconds: (from - started) / 1000,
    accounting: {
      offered: sum('offered'),
      stored: sum('stored'),
      duplicate: sum('duplicate'),
      rejected: sum('rejected'),
    },
  };
}
