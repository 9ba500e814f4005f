import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppContext, startFeedWorkers } from '@rollcall/app';
import { lastOfMonth } from '@rollcall/calendar';
import { readAccounting } from '@rollcall/db';
import { FEEDS, type Feed } from '@rollcall/events';
import { type PublishOutcome, publishSnapshot, reviseStaleSnapshots } from '@rollcall/publishing';
import { createGracefulShutdown, deleteKeysWithPrefix, resolveBackingServices } from '@rollcall/runtime';
import { mixAnomalies, Random, simulateForceMonth } from '@rollcall/simulator';
import pg from 'pg';
import { commandSetup } from '../cli-context.ts';
import { CommandFailed, type CommandIo, parseOptions, UsageError, writeLine } from '../command-line.ts';
import { formatCount, formatValue, textTable } from '../text-table.ts';
import { drainFeedQueues } from './drain-command.ts';
import { describeIngest, ingestFile } from './ingest-command.ts';
import { migrateDatabase } from './migrate-command.ts';

const FORCE_ID = 'avon-and-somerset';
const DEMO_DATABASE = 'rollcall_demo';
const DEMO_PREFIX = 'rollcall-demo';
/** Demo data is synthetic; the key only keeps the demo's pseudonyms stable between runs. */
const DEMO_PSEUDONYM_KEY = 'demo-only-key-never-use-for-real-person-data';
const REAL_STOP_SEARCH_FILES: Readonly<Record<string, string>> = {
  '2024-01': fileURLToPath(new URL('../../../../packages/police-uk/fixtures/2024-01-avon-and-somerset-stop-and-search.csv', import.meta.url)),
  '2019-01': fileURLToPath(new URL('../../../../packages/police-uk/fixtures/2019-01-avon-and-somerset-stop-and-search.csv', import.meta.url)),
};

/** Drops and recreates the demo's own database, so every demo run starts from nothing. */
async function resetDemoDatabase(serverUrl: string): Promise<string> {
  const admin = new URL(serverUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`drop database if exists ${DEMO_DATABASE} with (force)`);
    await client.query(`create database ${DEMO_DATABASE}`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${DEMO_DATABASE}`;
  return url.toString();
}

const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

/**
 * `rollcall demo`: the main job end to end on a generated month for Avon and Somerset. Finds
 * PostgreSQL and Redis (or starts them with Docker), migrates a database of its own, starts the
 * feed workers, generates the month (a few hundred thousand events, with out-of-order, duplicate,
 * conflicting and invalid ones mixed in, and the real data.police.uk stop-and-search file where
 * the repository has one), ingests it through the queues, drains, publishes the snapshot, then
 * delivers the late events and publishes the revision they cause, and prints what happened.
 */
export async function demoCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseOptions(args, { month: { type: 'string', default: '2024-01' }, scale: { type: 'string', default: '1' } }, 'demo');
  const month = values.month!;
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) throw new UsageError('demo: --month must be YYYY-MM');
  const scale = Number(values.scale);
  if (!(scale > 0 && scale <= 10)) throw new UsageError('demo: --scale must be a number above 0 and at most 10 (1 = real volume)');
  const started = performance.now();
  const say = (text = '') => writeLine(io.stdout, text);

  say(`Rollcall demo: ${FORCE_ID}, ${month}${scale === 1 ? '' : ` at ${scale}x volume`}`);
  const services = await resolveBackingServices({ env: io.env, allowContainers: true, onProgress: (message) => writeLine(io.stderr, message) });
  try {
    say(`PostgreSQL: ${services.source.database}; Redis: ${services.source.redis}`);
    const databaseUrl = await resetDemoDatabase(services.databaseUrl);
    const migration = await migrateDatabase(databaseUrl);
    say(`database ${DEMO_DATABASE}: ${migration.applied.length} migrations, reference data ${migration.referenceVersion}`);

    const snapshotDir = resolve(io.env.SNAPSHOT_DIR ?? 'var/demo/snapshots');
    const { config, log } = commandSetup(io, 'demo', {
      DATABASE_URL: databaseUrl,
      REDIS_URL: services.redisUrl,
      QUEUE_PREFIX: DEMO_PREFIX,
      PSEUDONYM_KEY: io.env.PSEUDONYM_KEY || DEMO_PSEUDONYM_KEY,
      SNAPSHOT_DIR: snapshotDir,
      FORCES: FORCE_ID,
    });
    const context = await AppContext.open(config, log, { applicationName: 'rollcall-demo' });
    const shutdown = createGracefulShutdown(log, 30_000);
    try {
      await context.checkRedisEvictionPolicy();
      await deleteKeysWithPrefix(context.producer, DEMO_PREFIX);
      await startFeedWorkers(context, shutdown);

      // 1. Generate the month and write it as the feeds would deliver it.
      const realStopSearch = REAL_STOP_SEARCH_FILES[month];
      const useRealStopSearch = realStopSearch !== undefined && existsSync(realStopSearch);
      const generateStarted = performance.now();
      const events = simulateForceMonth({
        forceId: FORCE_ID,
        month,
        scale,
        feeds: useRealStopSearch ? FEEDS.filter((feed) => feed !== 'stop-search') : FEEDS,
      });
      const dir = resolve('var/demo', month);
      await mkdir(dir, { recursive: true });
      const files: { feed: Feed; onTime: string; late: string }[] = [];
      const mixRows: string[][] = [];
      let generated = 0;
      for (const [index, feed] of FEEDS.entries()) {
        if (events[feed].length === 0) continue;
        const mixed = mixAnomalies(events[feed], new Random(1_000 + index));
        const onTime = join(dir, `${feed}.ndjson`);
        const late = join(dir, `${feed}.late.ndjson`);
        await writeFile(onTime, `${mixed.lines.join('\n')}\n`);
        await writeFile(late, mixed.lateLines.length > 0 ? `${mixed.lateLines.join('\n')}\n` : '');
        files.push({ feed, onTime, late });
        generated += mixed.counts.events;
        const c = mixed.counts;
        mixRows.push([feed, formatCount(c.events), formatCount(c.reordered), formatCount(c.duplicates), formatCount(c.conflicts), formatCount(c.invalid), formatCount(c.late)]);
      }
      say(`\ngenerated ${formatCount(generated)} events in ${seconds(generateStarted)}, mixed as real feeds deliver them:`);
      say(textTable(['feed', 'events', 'out of order', 'duplicated', 'conflicting', 'invalid', 'late'], mixRows, ['left', 'right', 'right', 'right', 'right', 'right', 'right']));

      // 2. Ingest through the queues (and the real data.police.uk file), then drain.
      const ingestStarted = performance.now();
      say('\ningesting:');
      for (const file of files) for (const line of describeIngest(await ingestFile(context, io, log, { feed: file.feed, format: 'ndjson', file: file.onTime }))) say(`  ${line}`);
      if (useRealStopSearch) {
        const summary = await ingestFile(context, io, log, { feed: 'stop-search', format: 'police-uk-csv', file: realStopSearch });
        for (const line of describeIngest(summary)) say(`  ${line} (real data.police.uk file)`);
      }
      const drained = await drainFeedQueues(context, io, log, 900);
      if (!drained.drained) throw new CommandFailed('the feed queues did not drain within 15 minutes');
      say(`stored in ${seconds(ingestStarted)} (queue to database, including validation, dedupe and daily aggregates)`);

      // 3. Publish the month's snapshot, then the late events and the revision they cause.
      const asOf = lastOfMonth(`${month}-01`);
      const deps = context.publishDeps();
      const first = await publishSnapshot(deps, FORCE_ID, asOf);
      say(`\npublished ${first.snapshotId} (${first.document.measures.length} measure entries, content ${first.document.contentHash.slice(0, 12)})`);
      for (const file of files) await ingestFile(context, io, log, { feed: file.feed, format: 'ndjson', file: file.late });
      await drainFeedQueues(context, io, log, 900);
      const revisions = await reviseStaleSnapshots(deps, [FORCE_ID]);
      const latest: PublishOutcome = revisions.find((outcome) => outcome.created) ?? first;
      if (latest !== first && latest.document.revisionOf) {
        const { reasons, changes } = latest.document.revisionOf;
        say(
          `late events arrived: published ${latest.snapshotId}, superseding ${latest.document.supersedes}: ${reasons.lateEvents} late and ${reasons.correctedEvents} corrected event(s) changed ${changes.length} figure(s), marked [r]`,
        );
      } else {
        say('late events arrived but changed no published figure: nothing new published');
      }

      // 4. Report.
      const accounting = (await readAccounting(context.db)).filter((row) => row.offered > 0);
      say('\nevents (offered = stored + duplicate + rejected):');
      say(
        textTable(
          ['feed', 'offered', 'stored', 'duplicate', 'rejected'],
          FEEDS.map((feed) => {
            const rows = accounting.filter((row) => row.feed === feed);
            const sum = (key: 'offered' | 'stored' | 'duplicate' | 'rejected') => formatCount(rows.reduce((total, row) => total + row[key], 0));
            return [feed, sum('offered'), sum('stored'), sum('duplicate'), sum('rejected')];
          }),
          ['left', 'right', 'right', 'right', 'right'],
        ),
      );
      say(`\n${latest.document.forceName}, snapshot ${latest.snapshotId}, as at ${asOf} (month ${month} and as at the end of it; the snapshot also holds the rolling 12 months and financial year, [x] here as a month of data cannot fill them):`);
      say(measuresTable(latest));
      say(`\nfiles: ${latest.files?.json ?? join(snapshotDir, FORCE_ID)} and ${join(snapshotDir, FORCE_ID, 'latest.csv')}`);
      say(`events written to ${dir}; done in ${seconds(started)}`);
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

/** The headline measures of a snapshot: one row per measure for the month, as-at and custom periods. */
export function measuresTable(outcome: Pick<PublishOutcome, 'document'>): string {
  const rows = outcome.document.measures
    .filter((m) => m.breakdown === null && (m.period.kind === 'month' || m.period.kind === 'as-at' || m.period.kind === 'custom'))
    .map((m) => [
      m.measureId,
      m.period.kind,
      m.suppressed ? '[c]' : m.value === null ? '' : formatValue(m.value, m.unit),
      m.denominator === null ? formatCount(m.numerator) : `${formatCount(m.numerator)} / ${formatCount(m.denominator)}`,
      m.status ? `${m.status} (target ${formatValue(m.target, m.unit)})` : '',
      m.flags.join(' '),
    ]);
  return textTable(['measure', 'period', 'value', 'numerator / denominator', 'target', 'flags'], rows, ['left', 'left', 'right', 'right', 'left', 'left']);
}
