import { parentPort, workerData } from 'node:worker_threads';
import { createCalendar } from '@rollcall/calendar';
import { createDatabase } from '@rollcall/db';
import { foldLane, ReplayFold } from './replay-fold.ts';
import type { ReplayLaneMessage, ReplayLaneTask } from './replay-lane.ts';

/**
 * A replay lane on a thread of its own (`startReplayLane`): reads its shards on connections of
 * its own, in the replay transaction's snapshot, folds them, and posts its sums and feed-day
 * counts once done, with its progress on the way. It writes nothing: the replay's transaction,
 * on the main thread, writes what all the lanes folded.
 */
const task = workerData as ReplayLaneTask;
const port = parentPort;
if (port === null) throw new Error('replay-fold-thread runs as a worker thread (startReplayLane)');
const post = (message: ReplayLaneMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

const db = createDatabase(task.connection.connectionString, {
  applicationName: task.connection.applicationName,
  maxConnections: 1,
});
try {
  const fold = new ReplayFold(createCalendar(task.timeZone), { from: task.from, to: task.to });
  // Progress in steps, not per network chunk: a message per few hundred rows was a cost of its own.
  let unreported = 0;
  let first = true;
  await foldLane(db, task.source, fold, {
    onRows: (rows) => {
      if (first) post({ kind: 'first-events' });
      first = false;
      unreported += rows;
      if (unreported >= 50_000) {
        post({ kind: 'progress', events: unreported });
        unreported = 0;
      }
    },
    stopped: () => false, // the main thread ends this thread instead
    flush: async () => {},
  }).done;
  if (unreported > 0) post({ kind: 'progress', events: unreported });
  const sums = fold.sums.toTransferred();
  post({ kind: 'done', sums, feedDays: fold.feedDayCounts(), events: fold.events, entities: fold.entities }, [
    sums.dayOf.buffer,
    sums.columnOf.buffer,
    sums.values.buffer,
  ] as ArrayBuffer[]);
} finally {
  // Its connection's end failing must neither fail a lane that has posted its sums nor hide the fold's error.
  await db.destroy().catch(() => {});
}
