import { type QueueFactory, SNAPSHOTS_PUBLISHED_QUEUE } from '@rollcall/queue';
import type { SnapshotDocument } from './snapshot-document.ts';

/**
 * How long a `snapshot.published` message may wait unconsumed before it is trimmed: 7 days.
 * Nothing in this product consumes the queue (dashboards may), and BullMQ never expires a waiting
 * job (`removeOnComplete`/`removeOnFail` act only on finished ones), so unbounded it would grow by
 * a message per force per day, plus revisions: for the 43 forces of England and Wales about
 * 15,700 a year, past the backlog threshold (QUEUE_BACKLOG_WARN, 10,000 by default) within eight
 * months, turning queue health to warn for nothing. Seven days keep about 300. A consumer down for
 * less than a week misses nothing; one down for longer reads the snapshots table or the API,
 * which keep every snapshot.
 */
export const PUBLISHED_MESSAGE_RETENTION_MS = 7 * 24 * 3_600_000;

/**
 * Most messages one trim removes. `Queue.clean` with a limit looks at only that many of the
 * oldest waiting jobs, so each call costs the same whatever the queue holds; about one message a
 * force a day arrives, so 1,000 a call keeps up with any backlog.
 */
const TRIM_LIMIT = 1_000;

/**
 * Announces a snapshot on `snapshots.published`. The job id is the snapshot id, so announcing
 * again (a drain retrying after a crash between adding and recording the delivery) adds nothing
 * while the first message is still in Redis.
 */
export async function announceSnapshot(
  queues: QueueFactory,
  document: SnapshotDocument,
  file: string | null,
): Promise<void> {
  await queues.add(
    'snapshot.published',
    SNAPSHOTS_PUBLISHED_QUEUE,
    {
      snapshotId: document.snapshotId,
      forceId: document.forceId,
      asOf: document.asOf,
      revision: document.revision,
      supersedes: document.supersedes,
      contentHash: document.contentHash,
      generatedAt: document.generatedAt,
      file,
    },
    { jobId: document.snapshotId },
  );
}

/**
 * Removes waiting `snapshot.published` messages added more than `retentionMs` ago (BullMQ's
 * `Queue.clean(grace, limit, 'wait')`, which goes by each job's creation timestamp). Returns the
 * ids removed.
 */
export async function trimPublishedMessages(
  queues: QueueFactory,
  retentionMs = PUBLISHED_MESSAGE_RETENTION_MS,
): Promise<string[]> {
  return queues.queue(SNAPSHOTS_PUBLISHED_QUEUE).clean(retentionMs, TRIM_LIMIT, 'wait');
}
