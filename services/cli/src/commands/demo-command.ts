import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ServiceContext } from '@rollcall/runtime';
import { startFeedWorkers } from '@rollcall/worker-service';
import { lastOfMonth } from '@rollcall/calendar';
import { type Db, listForceResidents, readAccounting, readEventsOfType, recreateDatabase } from '@rollcall/db';
import { decodeEvent, FEEDS, type Feed, type FeedEvent, type StopSearchRecorded } from '@rollcall/contract';
import { type PublishOutcome } from '@rollcall/publishing';
import { publishDepsOf, publishSnapshot, reviseStaleSnapshots } from '@rollcall/publishing';
import { createGracefulShutdown } from '@rollcall/runtime';
import type { Logger } from '@rollcall/logger';
import { ALL_QUEUE_NAMES, deleteQueueData } from '@rollcall/queue';
import { resolveNodeOnlyServices } from '@rollcall/backing-services';
import { importPublishedFile, POLICE_UK_SAMPLE_MONTHS, policeUkSampleFile } from '@rollcall/importers';
import { MEASURES } from '@rollcall/measures';
import {
  type AnomalyRates,
  DEFAULT_ANOMALY_RATES,
  mixAnomalies,
  Random,
  simulateForceMonth,
  simulateGroundsReviews,
  simulatePoliceUk999Table,
} from '@rollcall/simulator';
import { commandSetup } from '../cli-context.ts';
import { CommandFailed, type CommandIo, parseOptions, UsageError, writeLine } from '../command-line.ts';
import { formatCount, formatFigures, formatValue, textTable } from '../text-table.ts';
import { drainFeedQueues } from './drain-command.ts';
import { describeIngest, ingestFile } from './ingest-command.ts';
import { migrateDatabase } from './migrate-command.ts';

const FORCE_ID = 'avon-and-somerset';

/** Where a demo run puts its state. Everything there is deleted at the start of a run. */
export interface DemoTarget {
  /** Database dropped, recreated and migrated on the PostgreSQL server found. */
  readonly database: string;
  /** Redis key prefix of the demo's queues. */
  readonly prefix: string;
  /** Folder of the generated NDJSON files (one folder per month), and of snapshots unless SNAPSHOT_DIR is set. */
  readonly dir: string;
  /** Where an embedded PostgreSQL keeps its data, when one is started (var/embedded-postgres by default). */
  readonly embeddedDir?: string;
}

/** `rollcall demo`'s own: never the database or prefix of a real deployment. */
export const DEMO_TARGET: DemoTarget = { database: 'rollcall_demo', prefix: 'rollcall-demo', dir: 'var/demo' };

/**
 * For the lines the demo adds to a real data.police.uk file: about 500 searches a month, so the
 * default rates, set for 250,000 events, would add next to nothing. 1 in 100 repeated or broken
 * and 1 grounds review in 10 late give a few of each.
 */
const REAL_FILE_EXTRA_RATES: AnomalyRates = { ...DEFAULT_ANOMALY_RATES, late: 0.1, duplicates: 0.01, invalid: 0.01 };

/** Demo data is synthetic; the key only keeps the demo's pseudonyms stable between runs. */
const DEMO_PSEUDONYM_KEY = 'demo-only-key-never-use-for-real-person-data';
const REAL_STOP_SEARCH_FILES: Readonly<Record<string, string>> = Object.fromEntries(
  POLICE_UK_SAMPLE_MONTHS.map((month) => [month, policeUkSampleFile(month)]),
);

/** Drops and recreates the demo's own database, so every demo run starts from nothing. */
async function resetDemoDatabase(serverUrl: string, database: string): Promise<string> {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  await recreateDatabase(url.toString());
  return url.toString();
}

/**
 * The searches of the real file as stored: the importer's record ids and content, which the
 * generated grounds reviews, repeats and broken copies refer to. Read right after the file is
 * stored, when they are the only events (in event id order, so the demo stays deterministic).
 */
async function storedSearches(db: Db): Promise<StopSearchRecorded[]> {
  const searches: StopSearchRecorded[] = [];
  for (const row of await readEventsOfType(db, { feed: 'stop-search', type: 'stop-search.recorded' })) {
    const decoded = decodeEvent(row.body, 'stop-search');
    if (decoded.ok && decoded.event.type === 'stop-search.recorded') searches.push(decoded.event);
  }
  return searches;
}

const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

/**
 * `rollcall demo`: the main job end to end on a generated month for Avon and Somerset. Finds
 * PostgreSQL and Redis (or starts them with Docker), migrates a database of its own, starts the
 * feed workers, generates the month (a few hundred thousand events, with out-of-order, duplicate,
 * conflicting and invalid ones mixed in, and the real data.police.uk stop-and-search file where
 * the repository has one), ingests it through the queues, drains, publishes the snapshot, then
 * delivers the late events and publishes the revision they cause, and prints what happened.
 *
 * @param target where its state goes (DEMO_TARGET by default); tests pass their own database,
 *   prefix and folder so that a run never touches a developer's demo.
 */
export async function demoCommand(
  args: readonly string[],
  io: CommandIo,
  target: DemoTarget = DEMO_TARGET,
): Promise<number> {
  const { month, scale, embedded } = parseDemoOptions(args);
  const started = performance.now();
  const say = (text = '') => writeLine(io.stdout, text);

  say(`Rollcall demo: ${FORCE_ID}, ${month}${scale === 1 ? '' : ` at ${scale}x volume`}`);
  // Node alone is enough: embedded PostgreSQL and the queues in it when nothing else answers.
  const services = await resolveNodeOnlyServices({
    env: io.env,
    allowContainers: true,
    embedded: embedded ? 'force' : 'fallback',
    ...(target.embeddedDir !== undefined && { embeddedDir: target.embeddedDir }),
    onProgress: (message) => writeLine(io.stderr, message),
  });
  try {
    if (services.notice) say(services.notice);
    say(services.sources);
    const databaseUrl = await prepareDemoDatabase(services.databaseUrl, target, say);
    const snapshotDir = resolve(io.env.SNAPSHOT_DIR ?? join(target.dir, 'snapshots'));
    const { config, log } = commandSetup(io, 'demo', {
      DATABASE_URL: databaseUrl,
      ...(services.redisUrl !== undefined && { REDIS_URL: services.redisUrl }),
      QUEUE_BACKEND: services.queueBackend,
      QUEUE_PREFIX: target.prefix,
      PSEUDONYM_KEY: io.env.PSEUDONYM_KEY || DEMO_PSEUDONYM_KEY,
      SNAPSHOT_DIR: snapshotDir,
      FORCES: FORCE_ID,
    });
    const context = await ServiceContext.open(config, log, { applicationName: 'rollcall-demo' });
    const shutdown = createGracefulShutdown(log, 30_000);
    try {
      await context.checkRedisEvictionPolicy();
      await deleteQueueData(context.producer, target.prefix, ALL_QUEUE_NAMES);
      await startFeedWorkers(context, shutdown);
      const run: DemoRun = { context, io, log, say, month, dir: resolve(target.dir, month) };

      const ingestStarted = performance.now();
      const realSearches = await ingestRealStopSearch(run);
      const files = await writeFeedFiles(run, scale, realSearches);
      await ingestFeedFiles(run, files, ingestStarted);
      const latest = await publishWithLateEvents(run, files);
      await reportDemo(run, latest, snapshotDir);
      say(`events written to ${run.dir}; done in ${seconds(started)}`);
      say('next: pnpm rollcall status, pnpm rollcall snapshot show --latest, pnpm rollcall start (API on :8080)');
    } finally {
      await shutdown.shutdown('demo finished');
      await context.close();
    }
  } finally {
    await services.stop();
  }
  return 0;
}

/** What every step of a demo run works with. */
interface DemoRun {
  readonly context: ServiceContext;
  readonly io: CommandIo;
  readonly log: Logger;
  readonly say: (text?: string) => void;
  readonly month: string;
  /** The month's folder of generated NDJSON files. */
  readonly dir: string;
}

/** The month's feed files, on time and late (written for the feeds that have events). */
interface FeedFiles {
  readonly feed: Feed;
  readonly onTime: string;
  readonly late: string;
}

function parseDemoOptions(args: readonly string[]): { month: string; scale: number; embedded: boolean } {
  const { values } = parseOptions(
    args,
    {
      month: { type: 'string', default: '2024-01' },
      scale: { type: 'string', default: '1' },
      embedded: { type: 'boolean', default: false },
    },
    'demo',
  );
  const month = values.month ?? '2024-01';
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new UsageError('demo: --month must be YYYY-MM');
  const scale = Number(values.scale);
  if (!(scale > 0 && scale <= 10))
    throw new UsageError('demo: --scale must be a number above 0 and at most 10 (1 = real volume)');
  return { month, scale, embedded: values.embedded === true };
}

/** The demo's own database, empty and migrated, with the reference data; its URL. */
async function prepareDemoDatabase(
  serverUrl: string,
  target: DemoTarget,
  say: (text?: string) => void,
): Promise<string> {
  const databaseUrl = await resetDemoDatabase(serverUrl, target.database);
  const migration = await migrateDatabase(databaseUrl);
  say(
    `database ${target.database}: ${migration.applied.length} migrations, reference data ${migration.referenceVersion}`,
  );
  return databaseUrl;
}

/**
 * Step 1: the real data.police.uk file, where the repository has one for the month, through the
 * importer and the queue. Returns its searches as stored (empty without a real file), which the
 * generated stop-search feed then refers to.
 */
async function ingestRealStopSearch(run: DemoRun): Promise<StopSearchRecorded[] | undefined> {
  const realStopSearch = REAL_STOP_SEARCH_FILES[run.month];
  if (realStopSearch === undefined || !existsSync(realStopSearch)) return undefined;
  run.say('\ningesting the real data.police.uk stop-and-search file:');
  const summary = await ingestFile(run.context, run.io, run.log, {
    feed: 'stop-search',
    format: 'police-uk-csv',
    file: realStopSearch,
  });
  for (const line of describeIngest(summary)) run.say(`  ${line}`);
  const drained = await drainFeedQueues(run.context, run.io, run.log, 900);
  if (!drained.drained) throw new CommandFailed('the stop-search queue did not drain within 15 minutes');
  return storedSearches(run.context.db);
}

/**
 * Step 2: generate the month and write it as the feeds would deliver it. With a real file, the
 * stop-search feed adds what a live feed would to it: grounds reviews of its searches (some
 * late), and repeated and broken copies of its lines, which change no published count.
 */
async function writeFeedFiles(
  run: DemoRun,
  scale: number,
  realSearches: StopSearchRecorded[] | undefined,
): Promise<FeedFiles[]> {
  const generateStarted = performance.now();
  const events: Record<Feed, readonly FeedEvent[]> = simulateForceMonth({
    forceId: FORCE_ID,
    month: run.month,
    scale,
    feeds: realSearches ? FEEDS.filter((feed) => feed !== 'stop-search') : FEEDS,
  });
  if (realSearches) events['stop-search'] = simulateGroundsReviews(realSearches, { month: run.month });
  await mkdir(run.dir, { recursive: true });
  const files: FeedFiles[] = [];
  const mixRows: string[][] = [];
  let generated = 0;
  for (const [index, feed] of FEEDS.entries()) {
    const onRealFile = feed === 'stop-search' && realSearches !== undefined;
    if (events[feed].length === 0 && !onRealFile) continue;
    const random = new Random(1_000 + index);
    const mixed = onRealFile
      ? mixAnomalies(events[feed], random, REAL_FILE_EXTRA_RATES, realSearches)
      : mixAnomalies(events[feed], random);
    const onTime = join(run.dir, `${feed}.ndjson`);
    const late = join(run.dir, `${feed}.late.ndjson`);
    await writeFile(onTime, mixed.lines.length > 0 ? `${mixed.lines.join('\n')}\n` : '');
    await writeFile(late, mixed.lateLines.length > 0 ? `${mixed.lateLines.join('\n')}\n` : '');
    files.push({ feed, onTime, late });
    generated += mixed.counts.events;
    const c = mixed.counts;
    mixRows.push([
      feed,
      formatCount(c.events),
      formatCount(c.reordered),
      formatCount(c.duplicates),
      formatCount(c.conflicts),
      formatCount(c.invalid),
      formatCount(c.late),
    ]);
  }
  run.say(
    `\ngenerated ${formatCount(generated)} events in ${seconds(generateStarted)}, mixed as real feeds deliver them:`,
  );
  run.say(
    textTable(['feed', 'events', 'out of order', 'duplicated', 'conflicting', 'invalid', 'late'], mixRows, [
      'left',
      'right',
      'right',
      'right',
      'right',
      'right',
      'right',
    ]),
  );
  if (realSearches)
    run.say(
      `(stop-search: grounds reviews of ${formatCount(realSearches.length)} real searches; its duplicated and invalid lines include copies of the real file's)`,
    );
  return files;
}

/** Step 3: the on-time files through the queues, then drained. */
async function ingestFeedFiles(run: DemoRun, files: readonly FeedFiles[], ingestStarted: number): Promise<void> {
  run.say('\ningesting:');
  for (const file of files)
    for (const line of describeIngest(
      await ingestFile(run.context, run.io, run.log, { feed: file.feed, format: 'ndjson', file: file.onTime }),
    ))
      run.say(`  ${line}`);
  const drained = await drainFeedQueues(run.context, run.io, run.log, 900);
  if (!drained.drained) throw new CommandFailed('the feed queues did not drain within 15 minutes');
  run.say(`stored in ${seconds(ingestStarted)} (queue to database, including validation, dedupe and daily aggregates)`);
}

/**
 * Step 4: publish the month's snapshot, load the national table, then the late events and the
 * revision they cause. Returns the latest publication.
 */
async function publishWithLateEvents(run: DemoRun, files: readonly FeedFiles[]): Promise<PublishOutcome> {
  const asOf = lastOfMonth(`${run.month}-01`);
  const deps = publishDepsOf(run.context.config, run.context);
  const first = await publishSnapshot(deps, FORCE_ID, asOf);
  run.say(
    `\npublished ${first.snapshotId} (${first.document.measures.length} measure entries, content ${first.document.contentHash.slice(0, 12)})`,
  );
  await importNationalTable(run.context, run.month, run.dir, first, run.say);
  for (const file of files)
    await ingestFile(run.context, run.io, run.log, { feed: file.feed, format: 'ndjson', file: file.late });
  await drainFeedQueues(run.context, run.io, run.log, 900);
  const revisions = await reviseStaleSnapshots(deps, [FORCE_ID]);
  const latest: PublishOutcome = revisions.find((outcome) => outcome.created) ?? first;
  if (latest !== first && latest.document.revisionOf) {
    const { reasons, changes } = latest.document.revisionOf;
    const editions = reasons.publishedEditions?.length
      ? `, published figures ${reasons.publishedEditions.join(', ')}`
      : '';
    run.say(
      `late events and the national table arrived: published ${latest.snapshotId}, superseding ${latest.document.supersedes}: ${reasons.lateEvents} late event(s), ${reasons.correctedEvents} of them corrections${editions}, changed ${changes.length} figure(s), marked [r]`,
    );
  } else {
    run.say('late events arrived but changed no published figure: nothing new published');
  }
  run.say(comparisonLine(latest));
  return latest;
}

/** Step 5: the accounting per feed, the snapshot's figures and where its files are. */
async function reportDemo(run: DemoRun, latest: PublishOutcome, snapshotDir: string): Promise<void> {
  const accounting = (await readAccounting(run.context.db)).filter((row) => row.offered > 0);
  run.say('\nevents (offered = stored + duplicate + rejected):');
  run.say(
    textTable(
      ['feed', 'offered', 'stored', 'duplicate', 'rejected'],
      FEEDS.map((feed) => {
        const rows = accounting.filter((row) => row.feed === feed);
        const sum = (key: 'offered' | 'stored' | 'duplicate' | 'rejected') =>
          formatCount(rows.reduce((total, row) => total + row[key], 0));
        return [feed, sum('offered'), sum('stored'), sum('duplicate'), sum('rejected')];
      }),
      ['left', 'right', 'right', 'right', 'right'],
    ),
  );
  const asOf = latest.document.asOf;
  run.say(
    `\n${latest.document.forceName}, snapshot ${latest.snapshotId}, as at ${asOf} (month ${run.month} and as at the end of it; the snapshot also holds the rolling 12 months and financial year, [x] here as a month of data cannot fill them):`,
  );
  run.say(measuresTable(latest));
  run.say(
    `\nfiles: ${latest.files?.json ?? join(snapshotDir, FORCE_ID)} and ${join(snapshotDir, FORCE_ID, 'latest.csv')}`,
  );
}

/**
 * The other forces' side of the comparison, as a force that deploys Rollcall gets it: police.uk's
 * 999 table for the month (generated here, shaped like the real one; the demo force's own row is
 * what police.uk would print for it, which counts two calls fewer), loaded as published figures.
 */
async function importNationalTable(
  context: ServiceContext,
  month: string,
  dir: string,
  first: PublishOutcome,
  say: (text?: string) => void,
): Promise<void> {
  const own = first.document.measures.find(
    (m) => m.measureId === 'calls.999.answered_within_10s' && m.period.kind === 'month' && m.breakdown === null,
  );
  const mean = first.document.measures.find(
    (m) => m.measureId === 'calls.999.mean_answer_seconds' && m.period.kind === 'month' && m.breakdown === null,
  );
  const forces = await listForceResidents(context.db);
  const path = join(dir, `999-answer-times-${month}.csv`);
  await writeFile(
    path,
    simulatePoliceUk999Table({
      month,
      forces,
      ...(own?.numerator != null &&
        own.denominator != null && {
          own: {
            name: first.document.forceName,
            answered: own.denominator - 2,
            under10s: own.numerator - 2,
            meanSeconds: mean?.value ?? 8,
          },
        }),
    }),
  );
  const summary = await importPublishedFile({
    db: context.db,
    layout: 'police-uk-999',
    path,
    knownMeasureIds: new Set(MEASURES.map((m) => m.id)),
  });
  say(
    `\nloaded police.uk's 999 table for ${month} (generated, ${path}): edition ${summary.edition}, ${summary.figures} figures; ` +
      `${summary.rejectedLines.length} line(s) refused (${summary.rejectedLines.map((line) => line.reason).join('; ')})`,
  );
}

/** The comparison a PCC's report quotes: rank in the MSG with its interval, the national band, the reconciliation. */
export function comparisonLine(outcome: Pick<PublishOutcome, 'document'>): string {
  const entry = outcome.document.measures.find(
    (m) => m.measureId === 'calls.999.answered_within_10s' && m.period.kind === 'month' && m.breakdown === null,
  );
  if (!entry || entry.value === null) return '999 calls answered within 10 s: no figure for the month';
  const rank = entry.msg?.rankInterval
    ? `${entry.msg.rankInterval.label} in its most similar group`
    : `rank ${entry.msg?.rank ?? 'not available'} in its most similar group`;
  const average = entry.msg?.average != null ? `, MSG average ${entry.msg.average.toFixed(1)}%` : '';
  const band = entry.national?.band
    ? `, national band ${entry.national.band.lower.toFixed(1)}% to ${entry.national.band.upper.toFixed(1)}%`
    : '';
  const reconciled = entry.reconciliation?.[0];
  const reconciliation =
    reconciled?.published.value != null && reconciled.differenceValue != null
      ? `; police.uk prints ${reconciled.published.value.toFixed(1)}% ` +
        `(${reconciled.differenceValue >= 0 ? '+' : ''}${reconciled.differenceValue.toFixed(2)} points)`
      : '';
  return `999 calls answered within 10 s: ${entry.value.toFixed(1)}%, ${rank}${average}${band}${reconciliation}`;
}

/** The headline measures of a snapshot: one row per measure for the month, as-at and custom periods. */
export function measuresTable(outcome: Pick<PublishOutcome, 'document'>): string {
  const rows = outcome.document.measures
    .filter(
      (m) =>
        m.breakdown === null && (m.period.kind === 'month' || m.period.kind === 'as-at' || m.period.kind === 'custom'),
    )
    .map((m) => [
      m.measureId,
      m.period.kind,
      m.suppressed ? '[c]' : m.value === null ? '' : formatValue(m.value, m.unit),
      formatFigures(m.numerator, m.denominator, m.unit),
      m.status ? `${m.status} (target ${formatValue(m.target, m.unit)})` : '',
      m.flags.join(' '),
    ]);
  return textTable(['measure', 'period', 'value', 'numerator / denominator', 'target', 'flags'], rows, [
    'left',
    'left',
    'right',
    'right',
    'left',
    'left',
  ]);
}
