import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSilentLogger } from '@rollcall/logger';
import { collectStatusReport, createMetricsRegistry } from '@rollcall/ops';
import { drainSnapshotOutbox, publishSnapshot, SnapshotDeliveryError } from '@rollcall/publishing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineHarness } from './support/pipeline-harness.ts';

const FORCE = 'avon-and-somerset';
const MARCH = `${FORCE}_2022-03-31_r1`;
const thresholds = {
  lagWarnSeconds: 120,
  lagCriticalSeconds: 300,
  backlogWarn: 10_000,
  backlogCritical: 100_000,
  failedWarn: 1,
  failedCritical: 100,
};

let harness: PipelineHarness;
let scratch: string;
beforeAll(async () => {
  harness = await PipelineHarness.start({ startWorkers: false });
  scratch = await mkdtemp(join(tmpdir(), 'rollcall-unwritable-'));
});
afterAll(async () => {
  await harness?.close();
  await rm(scratch, { recursive: true, force: true });
});

/** The status report's snapshot part and its reasons (no queues: only the outbox is looked at here). */
const status = () => collectStatusReport({ queues: [], db: harness.db, thresholds, deadManHours: 26 });

/** The two outbox gauges as a scrape shows them. */
async function outboxMetrics(): Promise<Record<string, number>> {
  const { registry } = createMetricsRegistry({
    queues: [],
    db: harness.db,
    log: createSilentLogger(),
    collectDefaults: false,
  });
  const text = await registry.metrics();
  return Object.fromEntries(
    [...text.matchAll(/^(rollcall_snapshot_outbox_\w+) (\d+)$/gm)].map((match) => [match[1]!, Number(match[2])]),
  );
}

describe('a snapshot published while SNAPSHOT_DIR cannot be written (issue 15)', () => {
  it('makes status warn and the outbox metrics count it until the outbox catches up, then clears', async () => {
    expect((await status()).snapshotOutbox).toEqual({
      status: 'ok',
      undelivered: 0,
      failingCount: 0,
      failing: [],
      reasons: [],
    });
    expect(await outboxMetrics()).toEqual({
      rollcall_snapshot_outbox_undelivered: 0,
      rollcall_snapshot_outbox_failing: 0,
    });

    // Tests run as root, where a read-only mode does not stop writes: a directory whose parent is
    // a regular file cannot be created by anyone (ENOTDIR).
    const blocker = join(scratch, 'not-a-directory');
    await writeFile(blocker, 'a file where a directory should be');
    const unwritable = { ...harness.publishDeps, snapshotDir: join(blocker, 'snapshots') };
    const error = await publishSnapshot(unwritable, FORCE, '2022-03-31').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(SnapshotDeliveryError);

    const failing = await status();
    expect(failing.snapshotOutbox).toMatchObject({
      status: 'warn',
      undelivered: 1,
      failingCount: 1,
      failing: [
        {
          snapshotId: MARCH,
          forceId: FORCE,
          asOf: '2022-03-31',
          attempts: 1,
          lastError: expect.stringContaining('ENOTDIR'),
        },
      ],
    });
    expect(failing.status).not.toBe('ok');
    expect(failing.reasons).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^snapshots: ${MARCH} is published but its files or message are not delivered after 1 attempt \\(ENOTDIR: .*\\); fix the cause: the next publication of ${FORCE}, nightly run or scheduler start delivers it$`,
        ),
      ),
    );
    expect(await outboxMetrics()).toEqual({
      rollcall_snapshot_outbox_undelivered: 1,
      rollcall_snapshot_outbox_failing: 1,
    });

    // A second failed drain: still failing, the attempts counted.
    expect((await drainSnapshotOutbox(unwritable)).map((outcome) => outcome.error)).toEqual([
      expect.stringContaining('ENOTDIR'),
    ]);
    expect((await status()).snapshotOutbox.failing).toMatchObject([{ snapshotId: MARCH, attempts: 2 }]);

    // The directory fixed, the outbox catches up: the warning and the gauges clear.
    expect(
      (await drainSnapshotOutbox(harness.publishDeps)).map((outcome) => [outcome.snapshotId, outcome.error]),
    ).toEqual([[MARCH, null]]);
    const caughtUp = await status();
    expect(caughtUp.snapshotOutbox).toEqual({
      status: 'ok',
      undelivered: 0,
      failingCount: 0,
      failing: [],
      reasons: [],
    });
    expect(caughtUp.reasons.filter((reason) => reason.startsWith('snapshots:'))).toEqual([]);
    expect(await outboxMetrics()).toEqual({
      rollcall_snapshot_outbox_undelivered: 0,
      rollcall_snapshot_outbox_failing: 0,
    });
  });
});
