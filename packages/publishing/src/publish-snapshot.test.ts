import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleEvent } from '@rollcall/events';
import { storeFeedBatch } from '@rollcall/ingest';
import { testIngestContext } from '@rollcall/ingest/test-context';
import { createSilentLogger } from '@rollcall/logger';
import { createTestDatabase, type TestDatabase } from '@rollcall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PublishDeps, publishSnapshot } from './publish-snapshot.ts';
import { reviseStaleSnapshots } from './revise-stale-snapshots.ts';
import { SNAPSHOT_CSV_COLUMNS } from './snapshot-csv.ts';

let test: TestDatabase;
let dir: string;
let deps: PublishDeps;
const context = testIngestContext();

/** 999 calls presented on `day`: `fast` answered in 5 s, `slow` in 30 s. */
function calls(day: string, fast: number, slow: number, prefix = day) {
  const events = [];
  for (let i = 0; i < fast + slow; i++) {
    const callId = `${prefix}-${i}`;
    const presentedAt = `${day}T10:00:00Z`;
    events.push(exampleEvent('call.presented', { eventId: `${callId}-p`, occurredAt: presentedAt, payload: { callId, btTransferSeconds: 0 } }));
    const answeredAt = new Date(Date.parse(presentedAt) + (i < fast ? 5_000 : 30_000)).toISOString();
    events.push(exampleEvent('call.answered', { eventId: `${callId}-a`, occurredAt: answeredAt, payload: { callId } }));
  }
  return events;
}

const find = (document: { measures: readonly { measureId: string; period: { id: string } }[] }, measureId: string, periodId: string) =>
  document.measures.find((m) => m.measureId === measureId && m.period.id === periodId) as Record<string, unknown> | undefined;

beforeAll(async () => {
  test = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'rollcall-snapshots-'));
  deps = { db: test.db, snapshotDir: dir, disclosure: { maxSuppressedCount: 4 }, timeZone: 'Europe/London', log: createSilentLogger() };
});
afterAll(async () => {
  await test.destroy();
  await rm(dir, { recursive: true, force: true });
});

describe('publishSnapshot', () => {
  it('publishes the measures with numerators, denominators, target status and interval', async () => {
    await storeFeedBatch(test.db, { feed: 'call-handling', inputs: calls('2022-03-01', 90, 10), source: 't' }, context);
    const outcome = await publishSnapshot(deps, 'avon-and-somerset', '2022-03-31');
    expect(outcome).toMatchObject({ created: true, revision: 1, snapshotId: 'avon-and-somerset_2022-03-31_r1' });
    const month = find(outcome.document, 'calls.999.answered_within_10s', 'month');
    expect(month).toMatchObject({ value: 90, numerator: 90, denominator: 100, target: 90, status: 'met', flags: [] });
    expect((month!.ci as { halfWidth: number }).halfWidth).toBeCloseTo(5.88, 2);
    // Twelve months need twelve months of data: the rolling value is not available, never zero.
    expect(find(outcome.document, 'calls.999.answered_within_10s', 'rolling-12m')).toMatchObject({ value: null, flags: ['[x]'] });
    expect(outcome.document.inputs.feeds['call-handling']).toEqual({ events: 200, latestOccurredAt: '2022-03-01T10:00:30.000Z' });
  });

  it('publishes nothing new when the inputs have not changed', async () => {
    const again = await publishSnapshot(deps, 'avon-and-somerset', '2022-03-31');
    expect(again).toMatchObject({ created: false, revision: 1, snapshotId: 'avon-and-somerset_2022-03-31_r1' });
    expect(await test.db.selectFrom('snapshots').select('snapshot_id').execute()).toHaveLength(1);
  });

  it('writes JSON and CSV atomically, with latest.json for the force', async () => {
    const files = await readdir(join(dir, 'avon-and-somerset', '2022-03-31'));
    expect(files.sort()).toEqual(['avon-and-somerset_2022-03-31_r1.csv', 'avon-and-somerset_2022-03-31_r1.json']);
    const latest = JSON.parse(await readFile(join(dir, 'avon-and-somerset', 'latest.json'), 'utf8')) as { snapshotId: string };
    expect(latest.snapshotId).toBe('avon-and-somerset_2022-03-31_r1');
    const csv = await readFile(join(dir, 'avon-and-somerset', 'latest.csv'), 'utf8');
    const [header, ...rows] = csv.trim().split('\r\n');
    expect(header).toBe(SNAPSHOT_CSV_COLUMNS.join(','));
    const row = rows.find((line) => line.includes(',calls.999.answered_within_10s,,month,'))!.split(',');
    expect(row[SNAPSHOT_CSV_COLUMNS.indexOf('value')]).toBe('90');
    expect(row[SNAPSHOT_CSV_COLUMNS.indexOf('status')]).toBe('met');
  });

  it('revises a published snapshot when late events change it, marking what changed and why', async () => {
    await storeFeedBatch(test.db, { feed: 'call-handling', inputs: calls('2022-03-02', 0, 20, 'late'), source: 't' }, context);
    const head = await test.db.selectFrom('snapshot_heads').selectAll().executeTakeFirstOrThrow();
    expect(head.stale_late_events).toBe(40);
    const [revised] = await reviseStaleSnapshots(deps);
    expect(revised).toMatchObject({ created: true, revision: 2, snapshotId: 'avon-and-somerset_2022-03-31_r2' });
    const month = find(revised!.document, 'calls.999.answered_within_10s', 'month');
    expect(month).toMatchObject({ value: 75, numerator: 90, denominator: 120, status: 'not met', flags: ['[r]'] });
    expect(revised!.document.supersedes).toBe('avon-and-somerset_2022-03-31_r1');
    expect(revised!.document.revisionOf?.reasons).toEqual({
      lateEvents: 40,
      correctedEvents: 0,
      referenceDataChanged: false,
      populationVintageChanged: false,
      otherForcesData: false,
      other: false,
    });
    expect(revised!.document.revisionOf?.changes).toContainEqual({
      measureId: 'calls.999.answered_within_10s',
      breakdown: null,
      periodId: 'month',
      change: 'changed',
      fields: ['ci', 'denominator', 'msg', 'status', 'value'],
      before: { value: 90, numerator: 90, denominator: 100 },
      after: { value: 75, numerator: 90, denominator: 120 },
    });
    // The first revision is immutable and still readable.
    const first = await test.db.selectFrom('snapshots').select('document').where('snapshot_id', '=', 'avon-and-somerset_2022-03-31_r1').executeTakeFirstOrThrow();
    expect(find(first.document as never, 'calls.999.answered_within_10s', 'month')).toMatchObject({ value: 90 });
    expect((await test.db.selectFrom('snapshot_heads').select('stale_since').executeTakeFirstOrThrow()).stale_since).toBeNull();
  });

  it('suppresses small counts before publication', async () => {
    await storeFeedBatch(
      test.db,
      { feed: 'dvpo', inputs: [1, 2, 3].map((i) => exampleEvent('dvpo.applied', { eventId: `a${i}`, occurredAt: '2022-03-05T10:00:00Z', payload: { caseRef: `d${i}` } })), source: 't' },
      context,
    );
    const outcome = await publishSnapshot(deps, 'avon-and-somerset', '2022-03-31');
    expect(find(outcome.document, 'dvpo.applied', 'month')).toMatchObject({ value: null, numerator: null, suppressed: '[c]' });
    expect(JSON.stringify(outcome.document)).not.toContain('psn_');
  });
});
