import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastOfMonth } from '@rollcall/calendar';
import {
  findPoliceUkImport,
  listPoliceUkImportRevisions,
  PoliceUkImportBusyError,
  readAccounting,
  readDailyAggregates,
  storedEventOf,
  withPoliceUkImportLock,
} from '@rollcall/db';
import { createSilentLogger } from '@rollcall/logger';
import { createRedisConnection, feedQueueName, QueueFactory, waitForQueuesDrained } from '@rollcall/queue';
import { createTestDatabase, createTestRedis, type TestDatabase, type TestRedis } from '@rollcall/testing';
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFeedWorkers } from '@rollcall/store';
import {
  IngestFileError,
  ingestPoliceUkFile,
  PoliceUkHeaderError,
  type PoliceUkIngestOptions,
  type PoliceUkSampleMonth,
  policeUkSampleFile,
  PoliceUkSourceError,
  rowContentHash,
} from '@rollcall/importers';
import { testIngestContext } from '@rollcall/testing';

/*
 * Expected counts of the real files, restated from packages/importers/src/police-uk/read-stop-search-events.test.ts,
 * where they come from an independent count with Python's csv module and exact lookup tables (the
 * script is in that file). `searches` is by search type, the dimension of `stopsearch.searches`.
 */
const EXPECTED = {
  '2019-01': {
    rows: 519,
    byGroup: { asian: 14, black: 64, mixed: 22, 'not-recorded': 55, other: 7, white: 357 },
    byOutcome: {
      arrest: 80,
      caution: 3,
      'community-resolution': 33,
      'drugs-warning': 15,
      'no-further-action': 328,
      'not-recorded': 52,
      summons: 8,
    },
    searches: { 'Person and Vehicle search': 137, 'Person search': 374, 'Vehicle search': 8 },
    identicalRowExtras: 34,
  },
  '2024-01': {
    rows: 507,
    byGroup: { asian: 23, black: 49, mixed: 34, 'not-recorded': 40, other: 8, white: 353 },
    byOutcome: {
      arrest: 125,
      caution: 2,
      'community-resolution': 26,
      'drugs-warning': 9,
      'no-further-action': 316,
      'not-recorded': 20,
      summons: 9,
    },
    searches: { 'Person and Vehicle search': 95, 'Person search': 399, 'Vehicle search': 13 },
  },
} as const;

const FORCE = 'avon-and-somerset';
const JAN_2019 = '2019-01-avon-and-somerset-stop-and-search.csv';
const JAN_2024 = '2024-01-avon-and-somerset-stop-and-search.csv';
/** The sample file of that name, as the importer package keeps it. */
const fixture = (name: typeof JAN_2019 | typeof JAN_2024) =>
  policeUkSampleFile(name.slice(0, 7) as PoliceUkSampleMonth);

const log = createSilentLogger();
const context = testIngestContext();
let database: TestDatabase;
let redis: TestRedis;
let producer: Redis;
let workerConnection: Redis;
let queues: QueueFactory;
let workers: Worker[] = [];
let dir: string;

beforeAll(async () => {
  database = await createTestDatabase();
  redis = createTestRedis();
  producer = createRedisConnection(redis.url, { role: 'producer' });
  workerConnection = createRedisConnection(redis.url, { role: 'worker' });
  queues = new QueueFactory({ connection: producer, prefix: redis.prefix, log });
  workers = createFeedWorkers({
    db: database.db,
    connection: workerConnection,
    prefix: redis.prefix,
    context,
    concurrency: 2,
    log,
    feeds: ['stop-search'],
  });
  dir = await mkdtemp(join(tmpdir(), 'rollcall-police-uk-'));
});

afterAll(async () => {
  await Promise.allSettled(workers.map((worker) => worker.close()));
  await queues.close();
  producer.disconnect();
  workerConnection.disconnect();
  await redis.destroy();
  await database.destroy();
  await rm(dir, { recursive: true, force: true });
});

const ingest = (path: string, options: Partial<PoliceUkIngestOptions> = {}) =>
  ingestPoliceUkFile({ path, db: database.db, queues, context, ...options });

async function drain(): Promise<void> {
  const result = await waitForQueuesDrained(queues, [feedQueueName('stop-search')], { timeoutMs: 60_000 });
  expect(result.drained).toBe(true);
}

/** A copy of `lines` (the header first) under its own folder, with the data.police.uk file name. */
async function writeCopy(folder: string, name: string, lines: readonly string[], newline = '\n'): Promise<string> {
  await mkdir(join(dir, folder), { recursive: true });
  const path = join(dir, folder, name);
  await writeFile(path, lines.join(newline) + newline);
  return path;
}

const linesOf = async (path: string) => (await readFile(path, 'utf8')).trimEnd().split('\n');

async function accounting() {
  const row = (await readAccounting(database.db)).find((r) => r.feed === 'stop-search' && r.forceId === FORCE);
  return { stored: row?.stored ?? 0, duplicate: row?.duplicate ?? 0, rejected: row?.rejected ?? 0 };
}

/** Sum per dimension of one metric over a month's London days. */
async function monthTotals(metric: string, month: string): Promise<Record<string, number>> {
  const rows = await readDailyAggregates(database.db, {
    from: `${month}-01`,
    to: lastOfMonth(`${month}-01`),
    forceIds: [FORCE],
  });
  const totals: Record<string, number> = {};
  for (const row of rows.filter((r) => r.metric === metric)) totals[row.dim] = (totals[row.dim] ?? 0) + row.value;
  return Object.fromEntries(Object.entries(totals).sort(([a], [b]) => a.localeCompare(b)));
}

/** Searches per London day of a month, all search types together. */
async function searchesByDay(month: string): Promise<Record<string, number>> {
  const rows = await readDailyAggregates(database.db, {
    from: `${month}-01`,
    to: lastOfMonth(`${month}-01`),
    forceIds: [FORCE],
  });
  const days: Record<string, number> = {};
  for (const row of rows.filter((r) => r.metric === 'stopsearch.searches'))
    days[row.day] = (days[row.day] ?? 0) + row.value;
  return days;
}

async function storedEventsOf(month: string): Promise<Record<string, number>> {
  const rows = await database.db
    .selectFrom('events')
    .select(['type', sql<number>`count(*)::int`.as('n')])
    .where('feed', '=', 'stop-search')
    .where('event_id', 'like', `pu-${FORCE}-${month}-%`)
    .groupBy('type')
    .execute();
  return Object.fromEntries(rows.map((row) => [row.type, row.n]));
}

const sha256Of = async (path: string) =>
  createHash('sha256')
    .update(await readFile(path))
    .digest('hex');

/** Stored events whose id is like `pattern`, in id order, each as the whole event (envelope and payload). */
async function storedEventsLike(pattern: string) {
  const rows = await database.db
    .selectFrom('events')
    .select(['event_id', 'feed', 'type', 'force_id', 'envelope', 'payload'])
    .where('event_id', 'like', pattern)
    .orderBy('event_id')
    .execute();
  return rows.map((row) => ({ eventId: row.event_id, body: storedEventOf(row) }));
}

describe('importing the real 2019-01 file through the queue and workers', () => {
  it('queues every row as stop-search.recorded and the aggregates match the independent count', async () => {
    const progress: number[] = [];
    const summary = await ingest(fixture(JAN_2019), { batchSize: 200, onProgress: (p) => progress.push(p.bytesRead) });
    expect(progress.at(-1)).toBe((await readFile(fixture(JAN_2019))).length);
    expect(summary).toMatchObject({
      lines: 519,
      accepted: 519,
      feed: 'stop-search',
      forceId: FORCE,
      month: '2019-01',
      fileSha256: await sha256Of(fixture(JAN_2019)),
      rows: 519,
      queued: { recorded: 519, amended: 0, total: 519 },
      jobs: 3,
      rejected: 0,
      rejections: [],
      revision: { status: 'new', revision: 1 },
      unrecognised: [],
    });
    expect(summary.report[1]).toBe(
      'first import of this month (revision 1); queued 519 stop-search.recorded events in 3 jobs',
    );

    await drain();
    expect(await accounting()).toEqual({ stored: 519, duplicate: 0, rejected: 0 });
    expect(await storedEventsOf('2019-01')).toEqual({ 'stop-search.recorded': 519 });
    const expected = EXPECTED['2019-01'];
    expect(await monthTotals('stopsearch.by_ethnic_group', '2019-01')).toEqual(expected.byGroup);
    expect(await monthTotals('stopsearch.by_outcome', '2019-01')).toEqual(expected.byOutcome);
    expect(await monthTotals('stopsearch.searches', '2019-01')).toEqual(expected.searches);

    const manifest = await findPoliceUkImport(database.db, { forceId: FORCE, month: '2019-01' });
    expect(manifest).toMatchObject({ rows: 519, revision: 1, fileSha256: summary.fileSha256 });
    // Identical rows are distinct searches: 34 rows repeat another's content, all 519 are stored.
    expect(519 - new Set(manifest?.rowHashes).size).toBe(expected.identicalRowExtras);
    expect(manifest?.recordedHashes).toEqual(manifest?.rowHashes);
    expect(manifest?.rowRecords).toEqual(Array.from({ length: 519 }, (_, i) => i + 1));
  });

  it('queues nothing when the same file, or a re-saved copy of it, comes again', async () => {
    const again = await ingest(fixture(JAN_2019));
    expect(again).toMatchObject({
      rows: 519,
      queued: { total: 0 },
      jobs: 0,
      revision: { status: 'unchanged', revision: 1, sameFile: true },
    });
    expect(again.report.join('\n')).toContain('--resend');

    const crlf = await writeCopy('crlf', JAN_2019, await linesOf(fixture(JAN_2019)), '\r\n');
    const resaved = await ingest(crlf);
    expect(resaved).toMatchObject({
      queued: { total: 0 },
      revision: { status: 'unchanged', revision: 1, sameFile: false },
    });

    await drain();
    expect(await accounting()).toEqual({ stored: 519, duplicate: 0, rejected: 0 });
    expect(await storedEventsOf('2019-01')).toEqual({ 'stop-search.recorded': 519 });
    expect(await listPoliceUkImportRevisions(database.db, { forceId: FORCE, month: '2019-01' })).toHaveLength(1);
  });

  it('re-sends the same events on request: duplicates downstream, nothing new', async () => {
    const resent = await ingest(fixture(JAN_2019), { resend: true });
    expect(resent).toMatchObject({
      queued: { recorded: 519, amended: 0 },
      revision: { status: 'unchanged', revision: 1 },
      resent: true,
    });
    await drain();
    expect(await accounting()).toEqual({ stored: 519, duplicate: 519, rejected: 0 });
    expect(await monthTotals('stopsearch.searches', '2019-01')).toEqual(EXPECTED['2019-01'].searches);
  });

  it('reports a re-supplied month with a changed and an appended row as a revision, and amends the record', async () => {
    const [header, ...rows] = await linesOf(fixture(JAN_2019));
    // Line 7, position 6: "A no further action disposal" becomes "Arrest". The appended row is an
    // exact copy of line 4 (an arrest): another person searched, so another record.
    expect(rows[5]).toContain(',A no further action disposal,');
    const revised = [
      ...rows.map((row, i) => (i === 5 ? row.replace(',A no further action disposal,', ',Arrest,') : row)),
      rows[2] as string,
    ];
    const path = await writeCopy('revision-2', JAN_2019, [header as string, ...revised]);

    const summary = await ingest(path);
    expect(summary).toMatchObject({
      rows: 520,
      queued: { recorded: 1, amended: 1, total: 2 },
      jobs: 1,
      revision: {
        status: 'revised',
        revision: 2,
        previousRevision: 1,
        changed: 1,
        added: 1,
        removed: 0,
        changedPositions: [6],
        addedPositions: [520],
        removedPositions: [],
      },
    });
    expect(summary.report[1]).toBe(
      'revision 2 of this month (was 1): 1 row changed, 1 added, 0 removed; queued 1 stop-search.recorded event and 1 stop-search.amended event in 1 job',
    );

    await drain();
    expect(await storedEventsOf('2019-01')).toEqual({ 'stop-search.recorded': 520, 'stop-search.amended': 1 });
    const [amended] = await database.db
      .selectFrom('events')
      .select('event_id')
      .where('type', '=', 'stop-search.amended')
      .execute();
    expect(amended?.event_id).toMatch(/^pu-avon-and-somerset-2019-01-6-e000002-[0-9a-f]{16}$/);
    const expected = EXPECTED['2019-01'];
    expect(await monthTotals('stopsearch.by_outcome', '2019-01')).toEqual({
      ...expected.byOutcome,
      arrest: 82,
      'no-further-action': 327,
    });
    expect(await monthTotals('stopsearch.by_ethnic_group', '2019-01')).toEqual({ ...expected.byGroup, white: 358 });
    expect(await monthTotals('stopsearch.searches', '2019-01')).toEqual({ ...expected.searches, 'Person search': 375 });

    // A re-send of this edition repeats the same ids, amendment included: all duplicates.
    const before = await accounting();
    const resent = await ingest(path, { resend: true });
    expect(resent).toMatchObject({
      queued: { recorded: 519, amended: 1 },
      revision: { status: 'unchanged', revision: 2 },
    });
    await drain();
    expect(await accounting()).toEqual({ ...before, duplicate: before.duplicate + 520 });
    expect(await storedEventsOf('2019-01')).toEqual({ 'stop-search.recorded': 520, 'stop-search.amended': 1 });
  });

  it('withdraws the record of a row a new edition lacks, so the month counts the rows of its file', async () => {
    const path = await writeCopy(
      'revision-3',
      JAN_2019,
      (await linesOf(join(dir, 'revision-2', JAN_2019))).slice(0, -1),
    );
    const summary = await ingest(path);
    expect(summary).toMatchObject({
      rows: 519,
      queued: { recorded: 0, amended: 0, withdrawn: 1, total: 1 },
      revision: { status: 'revised', revision: 3, changed: 0, added: 0, removed: 1, removedPositions: [520] },
      earlierRemovalsWithdrawn: 0,
    });
    expect(summary.report.slice(1)).toEqual([
      'revision 3 of this month (was 2): 0 rows changed, 0 added, 1 removed; queued 1 withdrawal in 1 job',
      '1 row of the previous edition (positions 520) is not in this file: its search is withdrawn (a stop-search.amended with withdrawn: true) and no longer counted',
    ]);
    await drain();
    const expected = EXPECTED['2019-01'];
    // Revision 2's counts without the appended copy of line 4 (a Person search, an arrest, White).
    expect(await monthTotals('stopsearch.searches', '2019-01')).toEqual(expected.searches);
    expect(await monthTotals('stopsearch.by_outcome', '2019-01')).toEqual({
      ...expected.byOutcome,
      arrest: 81,
      'no-further-action': 327,
    });
    expect(await monthTotals('stopsearch.by_ethnic_group', '2019-01')).toEqual(expected.byGroup);
    const history = await listPoliceUkImportRevisions(database.db, { forceId: FORCE, month: '2019-01' });
    expect(
      history.map((r) => [r.revision, r.rows, r.changedPositions, r.addedPositions.length, r.removedPositions]),
    ).toEqual([
      [1, 519, [], 519, []],
      [2, 520, [6], 1, []],
      [3, 519, [], 0, [520]],
    ]);
    const manifest = await findPoliceUkImport(database.db, { forceId: FORCE, month: '2019-01' });
    expect(manifest?.rowHashes).toHaveLength(519);
    expect(manifest?.appliedHashes).toHaveLength(520);
    expect(manifest?.withdrawn.flatMap((w, i) => (w ? [i + 1] : []))).toEqual([520]);

    // Importing it again sends nothing; a re-send repeats the withdrawal, a duplicate.
    expect(await ingest(path)).toMatchObject({ queued: { total: 0 }, revision: { status: 'unchanged', revision: 3 } });
    const before = await accounting();
    expect(await ingest(path, { resend: true })).toMatchObject({
      queued: { recorded: 518, amended: 1, withdrawn: 1, total: 520 },
    });
    await drain();
    expect(await accounting()).toEqual({ ...before, duplicate: before.duplicate + 520 });
  });

  it('amends the row back when the original edition is supplied again, and leaves the withdrawn record withdrawn', async () => {
    const summary = await ingest(fixture(JAN_2019));
    expect(summary).toMatchObject({
      queued: { recorded: 0, amended: 1, withdrawn: 0 },
      revision: { status: 'revised', revision: 4, changed: 1, added: 0, removed: 0, changedPositions: [6] },
    });
    await drain();
    const expected = EXPECTED['2019-01'];
    expect(await monthTotals('stopsearch.by_outcome', '2019-01')).toEqual(expected.byOutcome);
    expect(await monthTotals('stopsearch.by_ethnic_group', '2019-01')).toEqual(expected.byGroup);
    expect(await monthTotals('stopsearch.searches', '2019-01')).toEqual(expected.searches);
    // Amendments of revisions 2 and 4, and the withdrawal of revision 3.
    expect(await storedEventsOf('2019-01')).toEqual({ 'stop-search.recorded': 520, 'stop-search.amended': 3 });
    expect(await accounting()).toEqual({ stored: 523, duplicate: 519 + 520 + 520, rejected: 0 });
  });

  it('puts every row back on its own day when a row is inserted mid-file, and the month stays as its file', async () => {
    // Position 100 of the original becomes a copy of line 4, inserted before it: 520 rows, and
    // a search on the day of line 4 that the original did not have.
    const [header, ...rows] = await linesOf(fixture(JAN_2019));
    const path = await writeCopy('revision-5', JAN_2019, [
      header as string,
      ...rows.slice(0, 99),
      rows[2] as string,
      ...rows.slice(99),
    ]);
    const daysBefore = await searchesByDay('2019-01');
    const summary = await ingest(path);
    expect(summary).toMatchObject({
      queued: { recorded: 1, amended: 0, withdrawn: 0 },
      revision: { status: 'revised', revision: 5, changed: 0, added: 1, removed: 0, addedPositions: [100] },
    });
    await drain();
    // The withdrawn record 520 stays withdrawn; the copy is a new record, 521.
    expect(await storedEventsOf('2019-01')).toEqual({ 'stop-search.recorded': 521, 'stop-search.amended': 3 });
    const dayOfLine4 = (rows[2] as string).split(',')[1]!.slice(0, 10);
    expect(await searchesByDay('2019-01')).toEqual({ ...daysBefore, [dayOfLine4]: (daysBefore[dayOfLine4] ?? 0) + 1 });
  });
});

describe('importing the real 2024-01 file', () => {
  it('gives 507 searches with the independently counted groups and outcomes', async () => {
    const summary = await ingest(fixture(JAN_2024));
    expect(summary).toMatchObject({
      rows: 507,
      queued: { recorded: 507, total: 507 },
      jobs: 1,
      rejected: 0,
      revision: { status: 'new' },
      unrecognised: [],
    });
    await drain();
    const expected = EXPECTED['2024-01'];
    expect(await storedEventsOf('2024-01')).toEqual({ 'stop-search.recorded': 507 });
    expect(Object.values(await monthTotals('stopsearch.searches', '2024-01')).reduce((a, b) => a + b, 0)).toBe(507);
    expect(await monthTotals('stopsearch.searches', '2024-01')).toEqual(expected.searches);
    expect(await monthTotals('stopsearch.by_ethnic_group', '2024-01')).toEqual(expected.byGroup);
    expect(await monthTotals('stopsearch.by_outcome', '2024-01')).toEqual(expected.byOutcome);
  });

  it('takes force and month from --force / --month for a renamed file', async () => {
    const renamed = await writeCopy('renamed', 'january.csv', await linesOf(fixture(JAN_2024)));
    const summary = await ingest(renamed, { force: FORCE, month: '2024-01' });
    expect(summary).toMatchObject({
      forceId: FORCE,
      month: '2024-01',
      queued: { total: 0 },
      revision: { status: 'unchanged', sameFile: true },
    });
  });
});

describe('the quirks of data.police.uk files', () => {
  const JULY = '2019-07-avon-and-somerset-stop-and-search.csv';
  const header =
    'Type,Date,Part of a policing operation,Policing operation,Latitude,Longitude,Gender,Age range,Self-defined ethnicity,Officer-defined ethnicity,Legislation,Object of search,Outcome,Outcome linked to object of search,Removal of more than just outer clothing';
  const lines = [
    header,
    // Line 2: a summer time written +00:00 is London wall-clock time: 23:30 BST, still 31 July.
    'Person search,2019-07-31T23:30:00+00:00,False,,51.45,-2.58,Male,18-24,White - White British (W1),White,Misuse of Drugs Act 1971 (section 23),Controlled drugs,Suspect arrested,True,False',
    // Line 3: a vehicle search has no person; midnight is a placeholder for "time not known".
    'Vehicle search,2019-07-02T00:00:00+00:00,,,,,,,,,Misuse of Drugs Act 1971 (section 23),Controlled drugs,Nothing found - no further action,,',
    // Line 4: newer wording, and an outcome no mapping knows.
    'Person search,2019-07-03T12:00:00+00:00,,,,,Female,over 34,White - Roma,,Police and Criminal Evidence Act 1984 (section 1),Stolen goods,Handed to the moon,,False',
    // Line 5: dated in August: rejected, not moved into July.
    'Person search,2019-08-01T10:00:00+00:00,,,,,Male,18-24,,White,,,Arrest,,',
    // Line 6: too few cells.
    'Person search,2019-07-04T10:00:00+00:00,,',
    // Line 7: a repeat of line 4: another search.
    'Person search,2019-07-03T12:00:00+00:00,,,,,Female,over 34,White - Roma,,Police and Criminal Evidence Act 1984 (section 1),Stolen goods,Handed to the moon,,False',
  ];

  it('imports what can be read, rejects the rest by line, and reports unknown wordings', async () => {
    const path = await writeCopy('july', JULY, lines);
    const before = await accounting();
    const summary = await ingest(path);
    expect(summary).toMatchObject({
      rows: 6,
      queued: { recorded: 4 },
      rejected: 2,
      rejectionsStored: 2,
      rejections: [
        {
          line: 5,
          reason: 'Date "2019-08-01T10:00:00+00:00" is on 2019-08-01 in London, outside the file\'s month 2019-07',
        },
        { line: 6, reason: 'has 4 cells, expected 15' },
      ],
      unrecognised: [{ column: 'Outcome', value: 'Handed to the moon', rows: 2 }],
    });
    await drain();
    expect(await accounting()).toEqual({ ...before, stored: before.stored + 4, rejected: before.rejected + 2 });
    const sources = await database.db
      .selectFrom('rejected_events')
      .select(['source', 'force_id'])
      .where('feed', '=', 'stop-search')
      .orderBy('id')
      .execute();
    expect(sources).toEqual([
      { source: `file ${JULY} line 5`, force_id: FORCE },
      { source: `file ${JULY} line 6`, force_id: FORCE },
    ]);

    const bodies = await storedEventsLike(`pu-${FORCE}-2019-07-%`);
    const payloadOf = (position: number) =>
      bodies.find((row) => row.eventId.startsWith(`pu-${FORCE}-2019-07-${position}-`))?.body;
    expect(payloadOf(1)).toMatchObject({
      occurredAt: '2019-07-31T23:30:00+01:00',
      payload: { partOfPolicingOperation: false, outcomeLinkedToObject: true },
    });
    expect(payloadOf(2)).toMatchObject({
      payload: {
        searchType: 'Vehicle search',
        gender: null,
        ageRange: null,
        outcomeLinkedToObject: null,
        timeIsPlaceholder: true,
      },
    });
    expect(await monthTotals('stopsearch.by_ethnic_group', '2019-07')).toEqual({ 'not-recorded': 1, white: 3 });
    expect(await monthTotals('stopsearch.by_outcome', '2019-07')).toEqual({
      arrest: 1,
      'no-further-action': 1,
      other: 2,
    });
    const days = await readDailyAggregates(database.db, { from: '2019-07-01', to: '2019-07-31', forceIds: [FORCE] });
    expect(days.filter((row) => row.metric === 'stopsearch.searches').map((row) => [row.day, row.value])).toEqual([
      ['2019-07-02', 1],
      ['2019-07-03', 2],
      ['2019-07-31', 1],
    ]);
  });

  it('does not store the same rejections again when the same file comes again', async () => {
    const summary = await ingest(join(dir, 'july', JULY));
    expect(summary).toMatchObject({
      queued: { total: 0 },
      rejected: 2,
      rejectionsStored: 0,
      revision: { status: 'unchanged' },
    });
    expect(summary.report.join('\n')).toContain(
      'rejected 2 rows (2 already stored by an earlier import of the same rows)',
    );
  });

  it('records a row that was rejected and is fixed in a later edition, not amends it', async () => {
    const fixed = lines.map((line, i) => (i === 4 ? line.replace('2019-08-01', '2019-07-01') : line));
    const summary = await ingest(await writeCopy('july-fixed', JULY, fixed));
    expect(summary).toMatchObject({
      queued: { recorded: 1, amended: 0 },
      rejected: 1,
      rejectionsStored: 0,
      revision: { status: 'revised', changedPositions: [4] },
    });
    await drain();
    expect(Object.values(await monthTotals('stopsearch.searches', '2019-07')).reduce((a, b) => a + b, 0)).toBe(5);
  });
});

describe('a month imported before records were matched by content', () => {
  it('is put right by the next import of the month: rows on their own days, removed rows withdrawn', async () => {
    const SEPTEMBER = '2019-09-avon-and-somerset-stop-and-search.csv';
    const [header, row] = (await linesOf(fixture(JAN_2019))) as [string, string];
    const on = (day: string) => row.replace(/^([^,]*),[^,]*,/, `$1,2019-09-${day}T10:30:00+00:00,`);
    await ingest(await writeCopy('legacy', SEPTEMBER, [header, on('01'), on('02'), on('03')]));
    await drain();

    // Revision 2 as the importer before this one handled it: row 2 redated to the 10th was sent
    // as an amendment without the row's time (so the search stayed on the 2nd), row 3 was dropped
    // from the edition but left counted. Then migration 2026-12-01-08 read that manifest: position
    // n holding record n, nothing withdrawn, record 2's applied hash cleared.
    const [stored] = await storedEventsLike(`pu-${FORCE}-2019-09-2-%`);
    if (stored === undefined) throw new Error('record 2 of September is stored');
    const legacyAmendment = {
      ...stored.body,
      eventId: `pu-${FORCE}-2019-09-2-a000002-${rowContentHash(on('10').split(','))}`,
      type: 'stop-search.amended',
      occurredAt: '2019-09-01T00:00:02Z',
    };
    await queues.add('feed-batch', feedQueueName('stop-search'), { events: [legacyAmendment] });
    await drain();
    const manifest = (await findPoliceUkImport(database.db, { forceId: FORCE, month: '2019-09' }))!;
    await sql`update police_uk_imports set rows = 2, row_hashes = ${[manifest.rowHashes[0], rowContentHash(on('10').split(','))]},
      row_records = '{1,2}', applied_hashes[2] = null, applied_revisions[2] = 2, revision = 2
      where force_id = ${FORCE} and month = '2019-09'`.execute(database.db);
    expect(await searchesByDay('2019-09')).toEqual({ '2019-09-01': 1, '2019-09-02': 1, '2019-09-03': 1 });

    const summary = await ingest(await writeCopy('legacy-2', SEPTEMBER, [header, on('01'), on('10')]));
    expect(summary).toMatchObject({
      queued: { recorded: 0, amended: 1, withdrawn: 1, total: 2 },
      revision: { status: 'unchanged', revision: 2 },
      earlierRemovalsWithdrawn: 1,
    });
    expect(summary.report).toContain(
      'withdrew 1 record whose rows an earlier edition had removed but which still counted (imported before removed rows were withdrawn)',
    );
    await drain();
    expect(await searchesByDay('2019-09')).toEqual({ '2019-09-01': 1, '2019-09-10': 1 });
    expect(await findPoliceUkImport(database.db, { forceId: FORCE, month: '2019-09' })).toMatchObject({
      withdrawn: [false, false, true],
      appliedRevisions: [1, 2, 2],
    });
  });
});

describe('files that cannot be imported', () => {
  it('names the problem with the force, the month, the header or the file', async () => {
    await expect(ingest(join(dir, 'stop-search.csv'))).rejects.toThrow(PoliceUkSourceError);
    await expect(
      ingest(join(dir, '2019-01-avon-and-somerset-stop-and-search.csv'), { month: '2019-13' }),
    ).rejects.toThrow(/--month "2019-13" is not a month/);
    await expect(ingest(join(dir, '2019-01-atlantis-stop-and-search.csv'))).rejects.toThrow(
      new PoliceUkSourceError(
        '2019-01-atlantis-stop-and-search.csv: unknown force "atlantis" (not in the reference data); pass --force with a force slug such as avon-and-somerset',
        '2019-01-atlantis-stop-and-search.csv',
      ),
    );
    const missing = join(dir, 'nowhere', '2019-02-avon-and-somerset-stop-and-search.csv');
    await expect(ingest(missing)).rejects.toThrow(new IngestFileError(`cannot read ${missing}: no such file`));

    const wrongHeader = await writeCopy('header', '2019-03-avon-and-somerset-stop-and-search.csv', [
      'Type,Date,Outcome',
      'Person search,2019-03-01T10:00:00+00:00,Arrest',
    ]);
    const error = await ingest(wrongHeader).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PoliceUkHeaderError);
    expect((error as Error).message).toMatch(
      /^2019-03-avon-and-somerset-stop-and-search\.csv: line 1: not a data\.police\.uk stop-and-search header/,
    );
    expect(await findPoliceUkImport(database.db, { forceId: FORCE, month: '2019-03' })).toBeUndefined();
  });

  it('refuses a second import of a force-month while one runs', async () => {
    await withPoliceUkImportLock(database.db, { forceId: FORCE, month: '2024-01' }, async () => {
      await expect(ingest(fixture(JAN_2024))).rejects.toThrow(PoliceUkImportBusyError);
    });
  });
});
