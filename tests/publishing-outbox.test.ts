import { mkdir, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { findSnapshot } from '@rollcall/db';
import { exampleEvent } from '@rollcall/contract';
import { storeFeedBatch } from '@rollcall/store';
import { testIngestContext } from '@rollcall/testing';
import {
  drainSnapshotOutbox,
  PUBLISHED_MESSAGE_RETENTION_MS,
  reviseStaleSnapshots,
  SnapshotDeliveryError,
  type SnapshotDocument,
  snapshotFilePaths,
  STALE_TEMPORARY_FILE_MS,
  temporaryDirectoryOf,
  writeLatestSnapshotFiles,
} from '@rollcall/publishing';
import { SNAPSHOTS_PUBLISHED_QUEUE } from '@rollcall/queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PipelineHarness } from './support/pipeline-harness.ts';

const FORCE = 'avon-and-somerset';
const MARCH = `${FORCE}_2022-03-31_r1`;
const APRIL = `${FORCE}_2022-04-30_r1`;

let harness: PipelineHarness;
beforeAll(async () => {
  harness = await PipelineHarness.start({ startWorkers: false });
});
afterAll(async () => {
  await harness.close();
});

const publishedQueue = () => harness.queues.queue(SNAPSHOTS_PUBLISHED_QUEUE);
const waitingIds = async () => (await publishedQueue().getWaiting()).map((job) => job.id).sort();
const outboxRow = (snapshotId: string) =>
  harness.db.selectFrom('snapshot_outbox').selectAll().where('snapshot_id', '=', snapshotId).executeTakeFirstOrThrow();
const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8')) as SnapshotDocument;
const latestJson = () => readJson(join(harness.snapshotDir, FORCE, 'latest.json'));
/** As a process that died after the commit (or after the message, before recording it) leaves the row. */
const undeliver = (snapshotId: string) =>
  harness.db.updateTable('snapshot_outbox').set({ delivered_at: null }).where('snapshot_id', '=', snapshotId).execute();

describe('the snapshot outbox', () => {
  it('delivers the files and the message exactly once when the file writer failed after the commit', async () => {
    // A plain file where the force's directory should go: writing the files throws after the
    // commit, as a crash (or a full disk) between the commit and the files would leave things.
    const blocker = join(harness.snapshotDir, FORCE);
    await writeFile(blocker, 'not a directory');
    const error = await harness.publish(FORCE, '2022-03-31').catch((err: unknown) => err);
    expect(error).toBeInstanceOf(SnapshotDeliveryError);
    expect((error as SnapshotDeliveryError).snapshotId).toBe(MARCH);

    // Committed and owed: the snapshot is in the database, its delivery is recorded as not done,
    // and no message went out naming files that do not exist.
    expect((await findSnapshot(harness.db, MARCH))?.revision).toBe(1);
    expect(await outboxRow(MARCH)).toMatchObject({
      delivered_at: null,
      attempts: 1,
      last_error: expect.stringMatching(/ENOTDIR|EEXIST/),
    });
    expect(await waitingIds()).toEqual([]);

    await rm(blocker);
    const paths = snapshotFilePaths(harness.snapshotDir, { forceId: FORCE, asOf: '2022-03-31', snapshotId: MARCH });
    expect(await drainSnapshotOutbox(harness.publishDeps)).toEqual([
      { snapshotId: MARCH, forceId: FORCE, asOf: '2022-03-31', files: paths, error: null },
    ]);
    expect((await readJson(paths.json)).snapshotId).toBe(MARCH);
    expect((await readFile(paths.csv, 'utf8')).split('\r\n')[1]).toMatch(
      new RegExp(`^${MARCH},${FORCE},2022-03-31,1,`),
    );
    expect((await latestJson()).snapshotId).toBe(MARCH);
    expect(await waitingIds()).toEqual([MARCH]);
    expect((await publishedQueue().getJob(MARCH))?.data).toMatchObject({
      snapshotId: MARCH,
      revision: 1,
      file: paths.json,
    });
    expect((await outboxRow(MARCH)).delivered_at).toBeInstanceOf(Date);

    // Nothing left for the next drain; and a process that died after adding the message but
    // before recording the delivery has it delivered again, still as one message.
    expect(await drainSnapshotOutbox(harness.publishDeps)).toEqual([]);
    await undeliver(MARCH);
    expect((await drainSnapshotOutbox(harness.publishDeps)).map((outcome) => outcome.error)).toEqual([null]);
    expect(await waitingIds()).toEqual([MARCH]);
    expect(await readdir(join(harness.snapshotDir, FORCE, '2022-03-31'))).toEqual([`${MARCH}.csv`, `${MARCH}.json`]);
  });

  it('is drained by the next publication of the force, even of another date', async () => {
    await undeliver(MARCH);
    const april = await harness.publish(FORCE, '2022-04-30');
    expect(april).toMatchObject({ snapshotId: APRIL, created: true });
    expect((await outboxRow(MARCH)).delivered_at).toBeInstanceOf(Date);
    expect(await waitingIds()).toEqual([MARCH, APRIL]);
    expect((await latestJson()).snapshotId).toBe(APRIL);
  });

  it('writes latest.* from the newest snapshot in the database, whichever delivery finishes last', async () => {
    // A delivery of March that read "March is the newest" before April committed, and wrote
    // latest.* after April's delivery had: latest.json now holds March.
    const march = (await findSnapshot(harness.db, MARCH))!.document as unknown as SnapshotDocument;
    await writeLatestSnapshotFiles(harness.snapshotDir, march);
    await undeliver(MARCH);
    const [outcome] = await drainSnapshotOutbox(harness.publishDeps);
    expect(outcome).toMatchObject({ snapshotId: MARCH, error: null, files: { latestJson: null, latestCsv: null } });
    expect((await latestJson()).snapshotId).toBe(APRIL);
    expect(await readFile(join(harness.snapshotDir, FORCE, 'latest.csv'), 'utf8')).toContain(`\r\n${APRIL},`);

    // A revision of the older date is delivered after the newer date: latest stays April.
    const late = Array.from({ length: 3 }, (_, i) =>
      exampleEvent('call.presented', {
        eventId: `late-${i}`,
        occurredAt: '2022-03-15T10:00:00Z',
        payload: { callId: `late-${i}`, btTransferSeconds: 0 },
      }),
    );
    await storeFeedBatch(harness.db, { feed: 'call-handling', inputs: late, source: 't' }, testIngestContext());
    const revised = await reviseStaleSnapshots(harness.publishDeps, [FORCE]);
    expect(revised.map((r) => [r.snapshotId, r.created])).toEqual([
      [`${FORCE}_2022-03-31_r2`, true],
      [`${FORCE}_2022-04-30_r2`, true],
    ]);
    expect((await latestJson()).snapshotId).toBe(`${FORCE}_2022-04-30_r2`);
  });

  it('removes at the next drain the temporary files of a writer that died, not those of a write in progress', async () => {
    const temporary = temporaryDirectoryOf(harness.snapshotDir);
    await mkdir(temporary, { recursive: true });
    // Left by a process killed between writing and renaming, 20 minutes ago; and one being written now.
    const dead = `${MARCH}.json.tmp-999999-0a1b2c3d`;
    const inProgress = 'latest.json.tmp-999998-00ff00ff';
    await writeFile(join(temporary, dead), '{"snapshotId": "avon-and-som');
    await writeFile(join(temporary, inProgress), '{"snapshotId"');
    const twentyMinutesAgo = new Date(Date.now() - STALE_TEMPORARY_FILE_MS - 5 * 60_000);
    await utimes(join(temporary, dead), twentyMinutesAgo, twentyMinutesAgo);

    // A drain with nothing to deliver still clears them.
    expect(await drainSnapshotOutbox(harness.publishDeps)).toEqual([]);
    expect(await readdir(temporary)).toEqual([inProgress]);
    // The files it would have replaced stand, and the date directories never held temporary files.
    expect((await readJson(join(harness.snapshotDir, FORCE, '2022-03-31', `${MARCH}.json`))).snapshotId).toBe(MARCH);
    expect(await readdir(join(harness.snapshotDir, FORCE, '2022-03-31'))).toEqual([
      `${MARCH}.csv`,
      `${MARCH}.json`,
      `${FORCE}_2022-03-31_r2.csv`,
      `${FORCE}_2022-03-31_r2.json`,
    ]);
    await rm(join(temporary, inProgress));
  });

  it('trims snapshot.published messages that waited longer than the retention, and keeps the rest', async () => {
    const day = 86_400_000;
    const message = (snapshotId: string) => ({
      snapshotId,
      forceId: 'kent',
      asOf: '2022-01-01',
      revision: 1,
      supersedes: null,
      contentHash: 'x',
      generatedAt: '2022-01-02T03:30:00.000Z',
      file: null,
    });
    // Added by BullMQ as if 8 and 6 days ago: the age it goes by is the job's creation time.
    await publishedQueue().add('snapshot.published', message('kent_2022-01-01_r1'), {
      jobId: 'kent_2022-01-01_r1',
      timestamp: Date.now() - PUBLISHED_MESSAGE_RETENTION_MS - day,
    });
    await publishedQueue().add('snapshot.published', message('kent_2022-01-03_r1'), {
      jobId: 'kent_2022-01-03_r1',
      timestamp: Date.now() - PUBLISHED_MESSAGE_RETENTION_MS + day,
    });
    expect(await waitingIds()).toContain('kent_2022-01-01_r1');

    await harness.publish(FORCE, '2022-05-31');
    const waiting = await waitingIds();
    expect(waiting).not.toContain('kent_2022-01-01_r1');
    expect(waiting).toEqual(expect.arrayContaining(['kent_2022-01-03_r1', `${FORCE}_2022-05-31_r1`, MARCH, APRIL]));
  });
});
