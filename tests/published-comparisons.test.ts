import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exampleEvent, type FeedEvent } from '@rollcall/contract';
import { importPublishedFile, PublishedFileError } from '@rollcall/importers';
import { capturedIo, runCli } from '@rollcall/cli';
import { MEASURES } from '@rollcall/measures';
import { TEST_PSEUDONYM_KEY } from '@rollcall/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { measureOf, PipelineHarness } from './support/pipeline-harness.ts';

/**
 * Issue 14 through the whole pipeline: one force's own events (Avon and Somerset, March 2024)
 * plus police.uk's 999 table for every force give it a rank in its most similar group with the
 * rank's interval, a national band, and a reconciliation line; a re-published edition that
 * changes one force's month makes exactly one new revision, saying why; bad files load nothing
 * or only their good lines, each refusal with its reason.
 */
let harness: PipelineHarness;
let dir: string;
const knownMeasureIds = new Set(MEASURES.map((measure) => measure.id));

beforeAll(async () => {
  harness = await PipelineHarness.start();
  dir = await mkdtemp(join(tmpdir(), 'rollcall-published-'));
  // 1,000 answered 999 calls in March 2024: 800 within 10 s (1.5 s transfer + 4 s), 200 after 31.5 s.
  const events: FeedEvent[] = [];
  for (let i = 0; i < 1_000; i++) {
    const presentedAt = Date.parse('2024-03-01T08:00:00Z') + (i % 28) * 86_400_000 + i * 1_000;
    const callId = `own-${i}`;
    events.push(
      exampleEvent('call.presented', {
        eventId: `${callId}-p`,
        occurredAt: new Date(presentedAt).toISOString(),
        payload: { callId, btTransferSeconds: 1.5 },
      }),
      exampleEvent('call.answered', {
        eventId: `${callId}-a`,
        occurredAt: new Date(presentedAt + (i < 800 ? 4_000 : 30_000)).toISOString(),
        payload: { callId },
      }),
    );
  }
  await harness.offerEvents(events);
  await harness.drain();
});
afterAll(async () => {
  await harness.close();
  await rm(dir, { recursive: true, force: true });
});

/**
 * police.uk's table as an edition prints it: names with "&" and "Constabulary", counts, and UK forces outside England
 * and Wales.
 */
const POLICE_UK_HEADER =
  'Force Name,Month,Calls presented,Answered in under 10 seconds,Answered in 10 to under 60 seconds,Answered in 60 seconds or more,Mean answer time (seconds)';
const policeUkRows = (kentUnder10s = 10_500) => [
  'Avon & Somerset Constabulary,Mar-24,1000,810,180,10,7.9',
  'Derbyshire Constabulary,Mar-24,5000,"4,300",600,100,8.1',
  'Essex Police,Mar-24,11000,9000,1800,200,8.5',
  'Hampshire Constabulary,Mar-24,12000,10200,1600,200,8.0',
  'Hertfordshire Constabulary,Mar-24,8000,7000,900,100,7.2',
  `Kent Police,Mar-24,13000,${kentUnder10s},${12_400 - kentUnder10s},600,9.9`,
  'Staffordshire Police,Mar-24,400,380,18,2,5.0',
  'Sussex Police,Mar-24,400,390,9,1,4.9',
  'Metropolitan Police Service,Mar-24,50000,42000,7000,1000,9.0',
  'Cumbria Constabulary,Mar-24,2000,1900,90,10,5.5',
  'Police Scotland,Mar-24,30000,25000,4000,1000,8.8',
];
const writeFileOf = async (name: string, lines: readonly string[]) => {
  const path = join(dir, name);
  await writeFile(path, `${lines.join('\n')}\n`);
  return path;
};
const figureCount = async () =>
  Number(
    (
      await harness.db
        .selectFrom('published_figures')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('comparisons from published figures in a one-force deployment', () => {
  it('loads police.uk’s 999 table, refusing the forces outside England and Wales by line', async () => {
    const path = await writeFileOf('999-2024-03.csv', [POLICE_UK_HEADER, ...policeUkRows()]);
    const summary = await importPublishedFile({ db: harness.db, layout: 'police-uk-999', path, knownMeasureIds });
    expect(summary).toMatchObject({
      alreadyLoaded: false,
      figures: 50,
      changed: 50,
      rejectedLines: [
        { line: 12, reason: 'force: "Police Scotland" is not a force of England and Wales in the reference data' },
      ],
    });
    // The same content again changes nothing.
    expect(await importPublishedFile({ db: harness.db, layout: 'police-uk-999', path, knownMeasureIds })).toMatchObject(
      { alreadyLoaded: true, changed: 0 },
    );
  });

  it('ranks the force among all 8 of its MSG with the rank interval, the national band over every force, and a reconciliation line', async () => {
    const snapshot = await harness.publish('avon-and-somerset', '2024-03-31');
    const entry = measureOf(snapshot, 'calls.999.answered_within_10s', 'month');
    expect(entry).toMatchObject({ value: 80, numerator: 800, denominator: 1_000 });
    expect(entry.msg).toMatchObject({
      rank: '8/8',
      rankInterval: { best: 6, worst: 8, of: 8, label: '8th of 8 (6th to 8th)' },
    });
    expect(entry.msg?.leftOut).toEqual([]);
    expect(entry.msg?.sources).toHaveLength(8);
    expect(entry.msg?.sources?.[0]).toEqual({ force: 'avon-and-somerset', source: 'own events' });
    expect(entry.msg?.sources?.[1]?.source).toMatch(/^police-uk-999 edition [0-9a-f]{12}$/);
    expect(entry.national?.band).not.toBeNull();
    expect(entry.reconciliation).toEqual([
      expect.objectContaining({
        source: 'police-uk-999',
        published: { numerator: 810, denominator: 1_000, value: 81 },
        differenceNumerator: -10,
        differenceDenominator: 0,
      }),
    ]);
    expect(snapshot.document.inputs.published).toEqual([
      expect.objectContaining({ source: 'police-uk-999', file: '999-2024-03.csv' }),
    ]);
  });

  it('makes exactly one new revision, with the edition as its reason, when a re-published edition changes one force’s month', async () => {
    const path = await writeFileOf('999-2024-03-revised.csv', [POLICE_UK_HEADER, ...policeUkRows(12_000)]);
    const summary = await importPublishedFile({ db: harness.db, layout: 'police-uk-999', path, knownMeasureIds });
    // Kent's headline share and the two bands that moved; its 60 s band and mean stand.
    expect(summary).toMatchObject({ changed: 3 });
    expect(summary.staleSnapshotHeads).toBeGreaterThanOrEqual(1);
    const revised = await harness.reviseStale();
    const avon = revised.filter((outcome) => outcome.forceId === 'avon-and-somerset' && outcome.created);
    expect(avon).toHaveLength(1);
    expect(avon[0]!.document.revision).toBe(2);
    expect(avon[0]!.document.revisionOf?.reasons.publishedEditions).toEqual([
      `police-uk-999 edition ${summary.edition}`,
    ]);
    expect(measureOf(avon[0]!, 'calls.999.answered_within_10s', 'month').flags).toContain('[r]');
    // Nothing further to revise: the head is current.
    expect((await harness.reviseStale()).filter((outcome) => outcome.created)).toEqual([]);
  });
});

describe('the commands', () => {
  async function rollcall(...args: string[]) {
    const io = capturedIo({
      DATABASE_URL: harness.database.url,
      REDIS_URL: harness.redis.url,
      QUEUE_PREFIX: harness.redis.prefix,
      PSEUDONYM_KEY: TEST_PSEUDONYM_KEY,
      SNAPSHOT_DIR: harness.snapshotDir,
      LOG_LEVEL: 'silent',
    });
    const code = await runCli(args, io);
    return { code, ...io.output() };
  }

  it('reconciles the force’s own months with the published ones, exiting 1 beyond the tolerance', async () => {
    // Own 80.0% against police.uk's 81.0%: 1 point apart, 10 calls.
    const strict = await rollcall('reconcile', '--force', 'avon-and-somerset', '--from', '2024-02', '--to', '2024-03');
    expect(strict.code).toBe(1);
    expect(strict.stdout).toMatch(
      /2024-03 {2}calls\.999\.answered_within_10s +police-uk-999 +80\.00 +81\.00 +-1\.00 {2}-10\/0 {2}BEYOND TOLERANCE/,
    );
    expect(strict.stderr).toContain('2024-02: no snapshot dated on its last day');
    // The widest gap is the mean answering time: own 10.7 s (800 × 5.5 s, 200 × 31.5 s) against 7.9 s.
    expect(strict.stdout).toMatch(/2024-03 {2}calls\.999\.mean_answer_seconds +police-uk-999 +10\.70 +7\.90 +2\.80/);
    const lenient = await rollcall(
      'reconcile',
      '--force',
      'avon-and-somerset',
      '--from',
      '2024-03',
      '--to',
      '2024-03',
      '--tolerance',
      '3',
    );
    expect(lenient.code).toBe(0);
    expect(lenient.stdout).toMatch(/5 line\(s\); 0 beyond the tolerance of 3/);
  });

  it('imports a file, and refuses a bad one with exit 1 and the reason', async () => {
    const good = await writeFileOf('cli-999.csv', [
      POLICE_UK_HEADER,
      'Kent Police,May-24,100,90,9,1,5',
      'PSNI,May-24,100,90,9,1,5',
    ]);
    const loaded = await rollcall('import-published', '--source', 'police-uk-999', good);
    expect(loaded).toMatchObject({ code: 0 });
    expect(loaded.stdout).toMatch(
      /cli-999\.csv: edition [0-9a-f]{12} of police-uk-999: 5 figure\(s\), 5 new or changed, 1 line\(s\) not loaded/,
    );
    expect(loaded.stderr).toContain('line 3: force: "PSNI" is not a force of England and Wales in the reference data');
    const bad = await writeFileOf('cli-bad.csv', ['Force,Month', 'Kent Police,May-24']);
    const refused = await rollcall('import-published', '--source', 'police-uk-999', bad);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/cli-bad\.csv not loaded: not a police\.uk 999 table: no column for/);
  });
});

describe('bad published files', () => {
  it('refuses a file without a needed column, naming the expected and found columns, and loads nothing', async () => {
    const before = await figureCount();
    const path = await writeFileOf('no-bands.csv', [
      'Force,Month,Calls presented,Mean answer time',
      'Kent Police,Apr-24,100,5',
    ]);
    const failure = importPublishedFile({ db: harness.db, layout: 'police-uk-999', path, knownMeasureIds });
    await expect(failure).rejects.toThrow(PublishedFileError);
    await expect(failure).rejects.toThrow(
      /no column for under10s, from10to60s, over60s\. Expected columns: .*; found: "Force", "Month", "Calls presented", "Mean answer time"/,
    );
    expect(await figureCount()).toBe(before);
  });

  it('refuses a force-month given twice as a whole, and text in a number column by line', async () => {
    const before = await figureCount();
    const twice = await writeFileOf('twice.csv', [
      POLICE_UK_HEADER,
      'Kent Police,Apr-24,100,90,9,1,5',
      'Kent,2024-04,100,91,8,1,5',
    ]);
    await expect(
      importPublishedFile({ db: harness.db, layout: 'police-uk-999', path: twice, knownMeasureIds }),
    ).rejects.toThrow(/line 3: kent 2024-04 is also on line 2/);
    expect(await figureCount()).toBe(before);
    const text = await writeFileOf('text.csv', [
      POLICE_UK_HEADER,
      'Kent Police,Apr-24,100,ninety,9,1,5',
      'Essex Police,April 2024,100,90%,9%,1%,5',
    ]);
    const summary = await importPublishedFile({ db: harness.db, layout: 'police-uk-999', path: text, knownMeasureIds });
    expect(summary.rejectedLines).toEqual([
      { line: 2, reason: 'Answered in under 10 seconds: "ninety" is not a number' },
    ]);
    // Percentages are counted against the calls presented when no answered column is printed.
    expect(summary.figures).toBe(5);
  });

  it('loads the documented long layout by line: an unknown measure or force is refused with its reason', async () => {
    const path = await writeFileOf('long.csv', [
      'source,force,period_from,period_to,measure_id,numerator,denominator,value,flags',
      'home-office-pfa,Devon & Cornwall Police,2024-04-01,2025-03-31,stopsearch.rate_per_1000,9000,1200000,7.5,provisional',
      'home-office-pfa,Devon and Cornwall,2024-04-01,2025-03-31,stopsearch.searches_per_officer,1,2,0.5,',
      'home-office-pfa,Atlantis,2024-04-01,2025-03-31,stopsearch.rate_per_1000,1,2,500,',
    ]);
    const summary = await importPublishedFile({ db: harness.db, layout: 'published-long', path, knownMeasureIds });
    expect(summary.figures).toBe(1);
    expect(summary.rejectedLines).toEqual([
      {
        line: 3,
        reason: 'measure_id: "stopsearch.searches_per_officer" is not a measure (docs/measures.md lists them)',
      },
      { line: 4, reason: 'force: "Atlantis" is not a force of England and Wales in the reference data' },
    ]);
    const stored = await harness.db
      .selectFrom('published_figures')
      .selectAll()
      .where('source', '=', 'home-office-pfa')
      .executeTakeFirstOrThrow();
    expect(stored).toMatchObject({
      force_id: 'devon-and-cornwall',
      period_from: '2024-04-01',
      period_to: '2025-03-31',
      value: 7.5,
      flags: ['provisional'],
    });
  });
});
