import { Writable } from 'node:stream';
import { insertSnapshot } from '@rollcall/db';
import { exampleEvent } from '@rollcall/contract';
import { storeFeedBatch } from '@rollcall/store';
import { testIngestContext } from '@rollcall/testing';
import { createLogger } from '@rollcall/logger';
import { createTestDatabase, type TestDatabase } from '@rollcall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublishDeps } from './publish-deps.ts';
import { publishSnapshot } from './publish-snapshot.ts';
import { reviseStaleSnapshots, StaleSnapshotsRevisionError } from './revise-stale-snapshots.ts';

let test: TestDatabase;
const context = testIngestContext();

beforeAll(async () => {
  test = await createTestDatabase();
});
afterAll(async () => {
  await test.destroy();
});

/** A logger whose JSON lines are kept for the test to read. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: createLogger({ service: 'test', destination }) };
}

const presented = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) =>
    exampleEvent('call.presented', {
      eventId: `${prefix}${i}`,
      occurredAt: '2022-03-02T10:00:00Z',
      payload: { callId: `${prefix}${i}`, btTransferSeconds: 0 },
    }),
  );

describe('reviseStaleSnapshots', () => {
  it('revises the other stale snapshots when one cannot be, then reports it with its force and date', async () => {
    const { lines, log } = capturingLogger();
    const deps: PublishDeps = {
      db: test.db,
      snapshotDir: null,
      disclosure: { maxSuppressedCount: 4 },
      timeZone: 'Europe/London',
      log,
    };
    await storeFeedBatch(test.db, { feed: 'call-handling', inputs: presented('on-time-', 10), source: 't' }, context);
    await publishSnapshot(deps, 'avon-and-somerset', '2022-03-31');
    await storeFeedBatch(test.db, { feed: 'call-handling', inputs: presented('late-', 10), source: 't' }, context);

    // A stale snapshot that cannot be republished: its force has left the reference data. Its
    // date is earlier, so it is tried first.
    await insertSnapshot(test.db, {
      snapshotId: 'retired-force_2022-03-30_r1',
      forceId: 'retired-force',
      asOf: '2022-03-30',
      revision: 1,
      supersedes: null,
      contentHash: 'x',
      generatedAt: new Date('2022-03-31T02:30:00Z'),
      document: {},
    });
    await test.db
      .updateTable('snapshot_heads')
      .set({ stale_since: new Date(), stale_late_events: 1 })
      .where('force_id', '=', 'retired-force')
      .execute();

    const error = await reviseStaleSnapshots(deps).catch((err: unknown) => err);
    expect(error).toBeInstanceOf(StaleSnapshotsRevisionError);
    const { revised, failures, message } = error as StaleSnapshotsRevisionError;
    expect(failures).toEqual([
      {
        forceId: 'retired-force',
        asOf: '2022-03-30',
        error: 'unknown force "retired-force": not in the reference data',
      },
    ]);
    expect(message).toBe(
      '1 of 2 stale snapshots could not be revised: retired-force as of 2022-03-30: unknown force "retired-force": not in the reference data',
    );
    // The good one was revised all the same, and is no longer stale; the bad one still is.
    expect(revised).toMatchObject([{ forceId: 'avon-and-somerset', asOf: '2022-03-31', revision: 2, created: true }]);
    const heads = await test.db
      .selectFrom('snapshot_heads')
      .select(['force_id', 'revision', 'stale_since'])
      .orderBy('force_id')
      .execute();
    expect(heads.map((h) => [h.force_id, h.revision, h.stale_since === null])).toEqual([
      ['avon-and-somerset', 2, true],
      ['retired-force', 1, false],
    ]);
    expect(
      lines.find((line) => line.msg === 'stale snapshot not revised; it stays stale for the next revision'),
    ).toMatchObject({
      level: 'error',
      forceId: 'retired-force',
      asOf: '2022-03-30',
    });
  });
});
