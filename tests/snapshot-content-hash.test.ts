import { readFile, writeFile } from 'node:fs/promises';
import { FEEDS } from '@rollcall/contract';
import { simulateForceMonth } from '@rollcall/simulator';
import { createSilentLogger } from '@rollcall/logger';
import { findSnapshot } from '@rollcall/db';
import { parseSnapshotDocument, publishSnapshot, StoredSnapshotDocumentError } from '@rollcall/publishing';
import { test } from '@rollcall/store/worker-fixture';
import { describe, expect } from 'vitest';

/**
 * Refactoring must not change what is published: the same inputs give the same snapshot, byte for
 * byte, before and after a change to the code's shape (issue 12: layout, queries moved into
 * packages/db, long functions split). The expected hashes were recorded by this test with
 * RECORD_SNAPSHOT_HASHES=1 and are only re-recorded on purpose, when a change is meant to alter
 * published figures (a new measure, a corrected definition), with the reason in the commit.
 */
const FIXTURE = new URL('./fixtures/snapshot-content-hashes.json', import.meta.url);
const FORCE = 'avon-and-somerset';
const MONTH = '2024-01';
const AS_OF = '2024-01-31';

interface RecordedHashes {
  readonly recordedAt: string;
  readonly inputs: string;
  readonly contentHash: string;
  readonly entries: number;
}

describe('published snapshot for fixed inputs', () => {
  test('has the content hash recorded before the refactoring', async ({ database, feedQueues }) => {
    // A tenth of a month of every feed, seeded: about 6,000 events, every measure kind present.
    const events = simulateForceMonth({ forceId: FORCE, month: MONTH, seed: 12, scale: 0.1 });
    for (const feed of FEEDS) await feedQueues.offer(feed, events[feed]);
    await feedQueues.drain();
    const outcome = await publishSnapshot(
      {
        db: database.db,
        snapshotDir: null,
        disclosure: { maxSuppressedCount: 4 },
        timeZone: 'Europe/London',
        log: createSilentLogger(),
      },
      FORCE,
      AS_OF,
    );
    const actual: RecordedHashes = {
      recordedAt: new Date().toISOString().slice(0, 10),
      inputs: `simulateForceMonth({ forceId: '${FORCE}', month: '${MONTH}', seed: 12, scale: 0.1 }), published as of ${AS_OF}`,
      contentHash: outcome.document.contentHash,
      entries: outcome.document.measures.length,
    };
    if (process.env.RECORD_SNAPSHOT_HASHES === '1') {
      await writeFile(FIXTURE, `${JSON.stringify(actual, null, 2)}\n`);
    }
    // The stored document parses back to exactly what was published (every entry shape is in it),
    // and one the schema does not describe fails by name instead of losing the field.
    const stored = await findSnapshot(database.db, outcome.document.snapshotId);
    expect(parseSnapshotDocument(outcome.document.snapshotId, stored?.document)).toEqual(outcome.document);
    const [first, ...rest] = outcome.document.measures;
    const unknownField = { ...outcome.document, measures: [{ ...first, margin: 1 }, ...rest] };
    expect(() => parseSnapshotDocument('s-1', unknownField)).toThrow(StoredSnapshotDocumentError);
    expect(() => parseSnapshotDocument('s-1', unknownField)).toThrow(
      /^stored snapshot s-1 does not parse as a snapshot document: measures\.0: Unrecognized key: "margin"/,
    );
    expect(() => parseSnapshotDocument('s-2', { ...outcome.document, revision: '1' })).toThrow(
      /^stored snapshot s-2 does not parse as a snapshot document: revision: /,
    );

    const expected = JSON.parse(await readFile(FIXTURE, 'utf8')) as RecordedHashes;
    expect(actual.inputs).toBe(expected.inputs);
    expect({ contentHash: actual.contentHash, entries: actual.entries }).toEqual({
      contentHash: expected.contentHash,
      entries: expected.entries,
    });
  });
});
