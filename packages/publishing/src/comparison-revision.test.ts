import { exampleEvent } from '@rollcall/contract';
import { storeFeedBatch } from '@rollcall/store';
import { testIngestContext } from '@rollcall/testing';
import { createSilentLogger } from '@rollcall/logger';
import { createTestDatabase, type TestDatabase } from '@rollcall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublishDeps } from './publish-deps.ts';
import { COMPARISON_FIELDS, publishSnapshot } from './publish-snapshot.ts';

let test: TestDatabase;
let deps: PublishDeps;
const context = testIngestContext();

/** 999 calls of `forceId` presented on 1 March 2022: `fast` answered in 5 s, `slow` in 30 s. */
function calls(forceId: string, prefix: string, fast: number, slow: number) {
  return Array.from({ length: fast + slow }, (_, i) => {
    const callId = `${prefix}-${i}`;
    const answeredAt = new Date(Date.parse('2022-03-01T10:00:00Z') + (i < fast ? 5_000 : 30_000)).toISOString();
    return [
      exampleEvent('call.presented', {
        eventId: `${callId}-p`,
        forceId,
        occurredAt: '2022-03-01T10:00:00Z',
        payload: { callId, btTransferSeconds: 0 },
      }),
      exampleEvent('call.answered', { eventId: `${callId}-a`, forceId, occurredAt: answeredAt, payload: { callId } }),
    ];
  }).flat();
}

beforeAll(async () => {
  test = await createTestDatabase();
  deps = {
    db: test.db,
    snapshotDir: null,
    disclosure: { maxSuppressedCount: 4 },
    timeZone: 'Europe/London',
    log: createSilentLogger(),
  };
});
afterAll(async () => {
  await test.destroy();
});

describe('a revision caused only by another force of the most similar group', () => {
  it('says which entries changed, that only their comparisons did, and why', async () => {
    // Kent is in Avon and Somerset's most similar group.
    await storeFeedBatch(
      test.db,
      {
        feed: 'call-handling',
        inputs: [...calls('avon-and-somerset', 'as', 90, 10), ...calls('kent', 'k', 80, 20)],
        source: 't',
      },
      context,
    );
    const first = await publishSnapshot(deps, 'avon-and-somerset', '2022-03-31');
    expect(first.revision).toBe(1);

    // Late calls of Kent's only: Avon and Somerset's own figures stand, its heads are not stale.
    await storeFeedBatch(
      test.db,
      { feed: 'call-handling', inputs: calls('kent', 'k-late', 0, 60), source: 't' },
      context,
    );
    const head = await test.db
      .selectFrom('snapshot_heads')
      .selectAll()
      .where('force_id', '=', 'avon-and-somerset')
      .executeTakeFirstOrThrow();
    expect(head.stale_since).toBeNull();

    // Published again (an operator's `rollcall snapshot`): the comparisons moved, so a revision...
    const second = await publishSnapshot(deps, 'avon-and-somerset', '2022-03-31');
    expect(second).toMatchObject({ created: true, revision: 2 });
    const revision = second.document.revisionOf!;
    // ...that never has an empty list of changes, and each names only comparison fields.
    expect(revision.changes.length).toBeGreaterThan(0);
    for (const change of revision.changes) {
      expect(change.change).toBe('changed');
      expect(change.fields.length).toBeGreaterThan(0);
      expect(change.fields.filter((field) => !COMPARISON_FIELDS.has(field))).toEqual([]);
      expect(change.after).toEqual(change.before);
    }
    expect(revision.changes).toContainEqual(
      expect.objectContaining({
        measureId: 'calls.999.answered_within_10s',
        periodId: 'month',
        breakdown: null,
        fields: expect.arrayContaining(['msg']),
      }),
    );
    expect(revision.reasons).toEqual({
      lateEvents: 0,
      correctedEvents: 0,
      referenceDataChanged: false,
      populationVintageChanged: false,
      otherForcesData: true,
      other: false,
    });
    // Exactly the changed entries carry [r].
    const marked = second.document.measures
      .filter((m) => m.flags.includes('[r]'))
      .map((m) => `${m.measureId}|${m.period.id}|${JSON.stringify(m.breakdown)}`);
    expect(marked.sort()).toEqual(
      revision.changes.map((c) => `${c.measureId}|${c.periodId}|${JSON.stringify(c.breakdown)}`).sort(),
    );
    const month = second.document.measures.find(
      (m) => m.measureId === 'calls.999.answered_within_10s' && m.period.id === 'month' && m.breakdown === null,
    );
    const before = first.document.measures.find(
      (m) => m.measureId === 'calls.999.answered_within_10s' && m.period.id === 'month' && m.breakdown === null,
    );
    expect(month).toMatchObject({ value: 90, numerator: 90, denominator: 100 });
    expect(month?.msg?.average).not.toBe(before?.msg?.average);

    // And publishing once more with nothing changed publishes nothing.
    expect(await publishSnapshot(deps, 'avon-and-somerset', '2022-03-31')).toMatchObject({
      created: false,
      revision: 2,
    });
  });
});
