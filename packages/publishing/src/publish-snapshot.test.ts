import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Db, loadReferenceIntoDatabase } from '@rollcall/db';
import { exampleEvent } from '@rollcall/contract';
import { storeFeedBatch } from '@rollcall/store';
import { testIngestContext } from '@rollcall/testing';
import { createSilentLogger } from '@rollcall/logger';
import type { PublishedMeasure } from '@rollcall/measures';
import { createTestDatabase, type TestDatabase } from '@rollcall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublishDeps } from './publish-deps.ts';
import { type PublishOutcome, publishSnapshot } from './publish-snapshot.ts';
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
    events.push(
      exampleEvent('call.presented', {
        eventId: `${callId}-p`,
        occurredAt: presentedAt,
        payload: { callId, btTransferSeconds: 0 },
      }),
    );
    const answeredAt = new Date(Date.parse(presentedAt) + (i < fast ? 5_000 : 30_000)).toISOString();
    events.push(exampleEvent('call.answered', { eventId: `${callId}-a`, occurredAt: answeredAt, payload: { callId } }));
  }
  return events;
}

const find = (
  document: { measures: readonly { measureId: string; period: { id: string } }[] },
  measureId: string,
  periodId: string,
) =>
  document.measures.find((m) => m.measureId === measureId && m.period.id === periodId) as
    Record<string, unknown> | undefined;

beforeAll(async () => {
  test = await createTestDatabase();
  dir = await mkdtemp(join(tmpdir(), 'rollcall-snapshots-'));
  deps = {
    db: test.db,
    snapshotDir: dir,
    disclosure: { maxSuppressedCount: 4 },
    timeZone: 'Europe/London',
    log: createSilentLogger(),
  };
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
    expect(find(outcome.document, 'calls.999.answered_within_10s', 'rolling-12m')).toMatchObject({
      value: null,
      flags: ['[x]'],
    });
    expect(outcome.document.inputs.feeds['call-handling']).toEqual({
      events: 200,
      latestOccurredAt: '2022-03-01T10:00:30.000Z',
    });
  });

  it('publishes nothing new when the inputs have not changed', async () => {
    const again = await publishSnapshot(deps, 'avon-and-somerset', '2022-03-31');
    expect(again).toMatchObject({ created: false, revision: 1, snapshotId: 'avon-and-somerset_2022-03-31_r1' });
    expect(await test.db.selectFrom('snapshots').select('snapshot_id').execute()).toHaveLength(1);
  });

  // That they are written atomically is snapshot-files.test.ts's to show.
  it('writes JSON and CSV, with latest.json for the force, and leaves no temporary file', async () => {
    const files = await readdir(join(dir, 'avon-and-somerset', '2022-03-31'));
    expect(files.sort()).toEqual(['avon-and-somerset_2022-03-31_r1.csv', 'avon-and-somerset_2022-03-31_r1.json']);
    expect((await readdir(dir)).sort()).toEqual(['.tmp', 'avon-and-somerset']);
    expect(await readdir(join(dir, '.tmp'))).toEqual([]);
    const latest = JSON.parse(await readFile(join(dir, 'avon-and-somerset', 'latest.json'), 'utf8')) as {
      snapshotId: string;
    };
    expect(latest.snapshotId).toBe('avon-and-somerset_2022-03-31_r1');
    const csv = await readFile(join(dir, 'avon-and-somerset', 'latest.csv'), 'utf8');
    const [header, ...rows] = csv.trim().split('\r\n');
    expect(header).toBe(SNAPSHOT_CSV_COLUMNS.join(','));
    const row = rows.find((line) => line.includes(',calls.999.answered_within_10s,,month,'))!.split(',');
    expect(row[SNAPSHOT_CSV_COLUMNS.indexOf('value')]).toBe('90');
    expect(row[SNAPSHOT_CSV_COLUMNS.indexOf('status')]).toBe('met');
  });

  it('revises a published snapshot when late events change it, marking what changed and why', async () => {
    await storeFeedBatch(
      test.db,
      { feed: 'call-handling', inputs: calls('2022-03-02', 0, 20, 'late'), source: 't' },
      context,
    );
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
      // No other force has figures, so there is no MSG rank or average to move.
      fields: ['ci', 'denominator', 'status', 'value'],
      before: { value: 90, numerator: 90, denominator: 100 },
      after: { value: 75, numerator: 90, denominator: 120 },
    });
    // The first revision is immutable and still readable.
    const first = await test.db
      .selectFrom('snapshots')
      .select('document')
      .where('snapshot_id', '=', 'avon-and-somerset_2022-03-31_r1')
      .executeTakeFirstOrThrow();
    expect(find(first.document as never, 'calls.999.answered_within_10s', 'month')).toMatchObject({ value: 90 });
    expect(
      (await test.db.selectFrom('snapshot_heads').select('stale_since').executeTakeFirstOrThrow()).stale_since,
    ).toBeNull();
  });

  it('suppresses small counts before publication', async () => {
    await storeFeedBatch(
      test.db,
      {
        feed: 'dvpo',
        inputs: [1, 2, 3].map((i) =>
          exampleEvent('dvpo.applied', {
            eventId: `a${i}`,
            occurredAt: '2022-03-05T10:00:00Z',
            payload: { caseRef: `d${i}` },
          }),
        ),
        source: 't',
      },
      context,
    );
    const outcome = await publishSnapshot(deps, 'avon-and-somerset', '2022-03-31');
    expect(find(outcome.document, 'dvpo.applied', 'month')).toMatchObject({
      value: null,
      numerator: null,
      suppressed: '[c]',
    });
    expect(JSON.stringify(outcome.document)).not.toContain('psn_');
  });
});

/** The reference data as the database holds it, in the shape `loadReferenceIntoDatabase` loads. */
async function currentReferenceData(db: Db): Promise<Parameters<typeof loadReferenceIntoDatabase>[1]> {
  const version = await db
    .selectFrom('reference_versions')
    .selectAll()
    .where('is_current', '=', true)
    .executeTakeFirstOrThrow();
  const forces = await db.selectFrom('forces').selectAll().orderBy('force_id').execute();
  const populations = await db
    .selectFrom('populations')
    .selectAll()
    .where('vintage', '=', version.population_vintage)
    .execute();
  return {
    version: version.version,
    populationVintage: version.population_vintage,
    forces: forces.map((row) => ({
      forceId: row.force_id,
      name: row.name,
      onsName: row.ons_name,
      mostSimilarGroup: row.most_similar_group,
    })),
    populations: populations.map((row) => ({
      forceId: row.force_id,
      vintage: row.vintage,
      residents: Number(row.residents),
      groups: row.groups as never,
    })),
    settings: new Map(forces.map((row) => [row.force_id, row.settings as never])),
  };
}

describe('the reasons a revision gives', () => {
  let reasons: TestDatabase;
  let reasonDeps: PublishDeps;
  const FORCE = 'avon-and-somerset';
  const AS_OF = '2022-03-31';
  const search = (recordId: string, occurredAt = '2022-03-01T12:00:00Z') =>
    exampleEvent('stop-search.recorded', { eventId: `${recordId}-r`, occurredAt, payload: { recordId } });
  const entryOf = (document: { measures: readonly PublishedMeasure[] }, measureId: string, periodId: string) =>
    document.measures.find((m) => m.measureId === measureId && m.period.id === periodId && m.breakdown === null);
  const changeOf = (revision: PublishOutcome, measureId: string, periodId: string) =>
    revision.document.revisionOf?.changes.find(
      (change) => change.measureId === measureId && change.periodId === periodId && change.breakdown === null,
    );

  beforeAll(async () => {
    reasons = await createTestDatabase();
    reasonDeps = {
      db: reasons.db,
      snapshotDir: null,
      disclosure: { maxSuppressedCount: 4 },
      timeZone: 'Europe/London',
      log: createSilentLogger(),
    };
    // Twenty searches ending in no further action, and 100 calls, 90 of them answered within 10 s.
    await storeFeedBatch(
      reasons.db,
      { feed: 'stop-search', inputs: Array.from({ length: 20 }, (_, i) => search(`s-${i}`)), source: 't' },
      context,
    );
    await storeFeedBatch(
      reasons.db,
      { feed: 'call-handling', inputs: calls('2022-03-01', 90, 10), source: 't' },
      context,
    );
    expect(await publishSnapshot(reasonDeps, FORCE, AS_OF)).toMatchObject({ created: true, revision: 1 });
  });
  afterAll(async () => {
    await reasons?.destroy();
  });

  it('counts a correction stored after publication (stop-search.amended) as a corrected event', async () => {
    // Five searches amended to an arrest (five, so that the arrests are not suppressed), and one
    // search that was not there at publication.
    const amended = Array.from({ length: 5 }, (_, i) =>
      exampleEvent('stop-search.amended', {
        eventId: `s-${i}-amended`,
        occurredAt: '2022-03-20T09:00:00Z',
        payload: { recordId: `s-${i}`, outcome: 'Arrest' },
      }),
    );
    await storeFeedBatch(
      reasons.db,
      { feed: 'stop-search', inputs: [...amended, search('s-late', '2022-03-02T12:00:00Z')], source: 't' },
      context,
    );
    const head = await reasons.db
      .selectFrom('snapshot_heads')
      .selectAll()
      .where('force_id', '=', FORCE)
      .where('as_of', '=', AS_OF)
      .executeTakeFirstOrThrow();
    // Corrections are late events too: six arrived after publication, five of them corrections.
    expect([head.stale_late_events, head.stale_corrected_events]).toEqual([6, 5]);

    const [revised] = await reviseStaleSnapshots(reasonDeps);
    expect(revised).toMatchObject({ created: true, revision: 2 });
    expect(revised!.document.revisionOf?.reasons).toEqual({
      lateEvents: 6,
      correctedEvents: 5,
      referenceDataChanged: false,
      populationVintageChanged: false,
      otherForcesData: false,
      other: false,
    });
    // 21 searches now, five of them ending in arrest: 16 of 21 no further action.
    expect(changeOf(revised!, 'stopsearch.outcome_rate.no-further-action', 'month')).toMatchObject({
      change: 'changed',
      before: { value: 100, numerator: 20, denominator: 20 },
      after: { value: (16 / 21) * 100, numerator: 16, denominator: 21 },
    });
    expect(entryOf(revised!.document, 'stopsearch.outcome_rate.no-further-action', 'month')?.flags).toContain('[r]');
  });

  it('says the reference data changed when a new version moves a target, with no event behind it', async () => {
    const current = await currentReferenceData(reasons.db);
    const settings = new Map(current.settings);
    settings.set(FORCE, { ...settings.get(FORCE)!, calls999AnsweredWithin10sTarget: 0.95 });
    expect(
      await loadReferenceIntoDatabase(reasons.db, { ...current, version: 'ref-test-target-95', settings }),
    ).toEqual({ loaded: true, version: 'ref-test-target-95' });

    const revised = await publishSnapshot(reasonDeps, FORCE, AS_OF);
    expect(revised).toMatchObject({ created: true, revision: 3 });
    expect(revised.document).toMatchObject({
      referenceVersion: 'ref-test-target-95',
      populationVintage: 'census-2011',
      supersedes: `${FORCE}_${AS_OF}_r2`,
    });
    expect(revised.document.revisionOf?.reasons).toEqual({
      lateEvents: 0,
      correctedEvents: 0,
      referenceDataChanged: true,
      populationVintageChanged: false,
      otherForcesData: false,
      other: false,
    });
    // 90% met a target of 90%, not one of 95%: the same figures, a different status.
    expect(changeOf(revised, 'calls.999.answered_within_10s', 'month')).toEqual({
      measureId: 'calls.999.answered_within_10s',
      breakdown: null,
      periodId: 'month',
      change: 'changed',
      fields: ['status', 'target'],
      before: { value: 90, numerator: 90, denominator: 100 },
      after: { value: 90, numerator: 90, denominator: 100 },
    });
    expect(entryOf(revised.document, 'calls.999.answered_within_10s', 'month')).toMatchObject({
      target: 95,
      status: 'nearly met',
      flags: ['[r]'],
    });
  });

  it('says the population vintage changed when new population figures move a rate', async () => {
    const current = await currentReferenceData(reasons.db);
    const vintage = 'census-2021-test';
    const populations = current.populations.map((population) => ({
      ...population,
      vintage,
      residents: population.residents * 2,
    }));
    await loadReferenceIntoDatabase(reasons.db, {
      ...current,
      version: 'ref-test-vintage',
      populationVintage: vintage,
      populations,
    });

    const revised = await publishSnapshot(reasonDeps, FORCE, AS_OF);
    expect(revised).toMatchObject({ created: true, revision: 4 });
    expect(revised.document).toMatchObject({ referenceVersion: 'ref-test-vintage', populationVintage: vintage });
    expect(revised.document.revisionOf?.reasons).toEqual({
      lateEvents: 0,
      correctedEvents: 0,
      referenceDataChanged: true,
      populationVintageChanged: true,
      otherForcesData: false,
      other: false,
    });
    // 21 searches over 1,599,555 residents, then over twice as many.
    expect(changeOf(revised, 'stopsearch.rate_per_1000', 'month')).toMatchObject({
      fields: expect.arrayContaining(['denominator', 'value']),
      before: { value: (21 / 1_599_555) * 1_000, numerator: 21, denominator: 1_599_555 },
      after: { value: (21 / 3_199_110) * 1_000, numerator: 21, denominator: 3_199_110 },
    });
  });
});
