import { Worker } from 'node:worker_threads';
import type { LocalDate } from '@rollcall/calendar';
import type { TransferredSums } from '@rollcall/db';
import type { FeedDayCount, LaneSource } from './replay-fold.ts';

/** What a replay lane's thread is given (`workerData`): plain data only. */
export interface ReplayLaneTask {
  readonly connection: { readonly connectionString: string; readonly applicationName: string };
  readonly source: LaneSource;
  /** The calendar's time zone: the thread makes its own (`createCalendar`). */
  readonly timeZone: string;
  readonly from: LocalDate | null;
  readonly to: LocalDate | null;
}

/** What a lane folded. */
export interface ReplayLaneResult {
  readonly sums: TransferredSums;
  readonly feedDays: readonly FeedDayCount[];
  readonly events: number;
  readonly entities: number;
}

/** What a lane's thread posts: its first events read, events folded since the last message, what it folded. */
export type ReplayLaneMessage =
  | { readonly kind: 'first-events' }
  | { readonly kind: 'progress'; readonly events: number }
  | ({ readonly kind: 'done' } & ReplayLaneResult);

/**
 * The lane's thread, where it is: beside the bundle when the code runs bundled (its banner names
 * the bundle's folder, `rollcallBundleUrl`: `tooling/bundle`), else its TypeScript source, behind
 * a bootstrap that registers tsx in the thread (`replay-fold-thread.source.mjs`).
 */
function laneThreadEntry(): URL {
  const bundle = (globalThis as { rollcallBundleUrl?: string }).rollcallBundleUrl;
  if (bundle !== undefined) return new URL('./replay-fold-thread.mjs', bundle);
  return new URL('./replay-fold-thread.source.mjs', import.meta.url);
}

/**
 * Starts a replay lane on a thread of its own (`replay-fold-thread.ts`), so a replay folds on as
 * many cores as it has lanes (issue 19: one thread's fold was the bound of a replay, PostgreSQL's
 * sorts using the other core only in part). `onFirstEvents` and `onEvents` report its progress;
 * `stop` ends the thread (and so its connections) after a failure elsewhere.
 */
export function startReplayLane(
  task: ReplayLaneTask,
  hooks: { onFirstEvents(): void; onEvents(events: number): void },
): { readonly done: Promise<ReplayLaneResult>; stop(): void } {
  const worker = new Worker(laneThreadEntry(), { workerData: task });
  let result: ReplayLaneResult | undefined;
  // Once stopped, what the thread posted before it ended is not reported: the replay has failed.
  let stopped = false;
  const stop = () => {
    stopped = true;
    void worker.terminate();
  };
  const done = new Promise<ReplayLaneResult>((resolve, reject) => {
    worker.on('message', (message: ReplayLaneMessage) => {
      if (stopped) return;
      try {
        if (message.kind === 'first-events') hooks.onFirstEvents();
        else if (message.kind === 'progress') hooks.onEvents(message.events);
        else result = message;
      } catch (error) {
        // A hook's error fails the lane, as it would on the main thread, not the whole process.
        reject(error);
        stop();
      }
    });
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (result !== undefined) resolve(result);
      else reject(new Error(`replay lane ${task.source.lane} ended (exit code ${code}) before it finished`));
    });
  });
  done.catch(() => {}); // thrown again where it is awaited
  return { done, stop };
}
