import { ServiceContext } from '@rollcall/runtime';
import { type Config, ConfigError } from '@rollcall/config';
import {
  type AccountingCheck,
  checkAccounting,
  countFlaggedEntities,
  pingDatabase,
  readAccounting,
} from '@rollcall/db';
import type { Logger } from '@rollcall/logger';
import {
  collectStatusReport,
  exitCodeOf,
  formatStatusTable,
  judgeAccounting,
  redisMarkerFor,
  type StatusReport,
  summariseRejectionReasons,
  UNKNOWN_EXIT_CODE,
  worstStatus,
} from '@rollcall/ops';
import { checkRecentIngestRuns, type IngestRunCheck } from '@rollcall/importers';
import { ALL_QUEUE_NAMES, SNAPSHOTS_PUBLISHED_QUEUE, waitForQueueConnection } from '@rollcall/queue';
import { commandSetup } from '../cli-context.ts';
import { type CommandIo, parseOptions, requireOne, UsageError, writeLine } from '../command-line.ts';
import { formatCount, textTable } from '../text-table.ts';

export interface FullStatus extends StatusReport {
  readonly accounting: Awaited<ReturnType<typeof readAccounting>>;
  /** Counters that disagree with the rows they count (should always be empty; any makes status critical). */
  readonly accountingMismatches: readonly AccountingCheck[];
  readonly rejections: Awaited<ReturnType<typeof summariseRejectionReasons>>;
  readonly anomalies: Awaited<ReturnType<typeof countFlaggedEntities>>;
  /** `rollcall ingest` runs of the last 7 days: queued against stored + duplicate + rejected, lost jobs. */
  readonly ingestRuns: readonly IngestRunCheck[];
}

export async function collectFullStatus(context: ServiceContext): Promise<FullStatus> {
  const report = await collectStatusReport({
    queues: ALL_QUEUE_NAMES.map((name) => context.queues.queue(name)),
    db: context.db,
    thresholds: context.config.queueThresholds,
    deadManHours: context.config.nightly.deadManHours,
    stalled: context.stalled(),
    externalConsumers: [SNAPSHOTS_PUBLISHED_QUEUE],
    ...redisMarkerFor(context.producer, context.config.queuePrefix),
  });
  const [accounting, checks, rejections, anomalies, ingest] = await Promise.all([
    readAccounting(context.db),
    checkAccounting(context.db),
    summariseRejectionReasons(context.db),
    countFlaggedEntities(context.db),
    checkRecentIngestRuns(context.db, context.queues),
  ]);
  // A counter that disagrees with its table is critical for the whole pipeline (accounting-health.ts).
  const verdict = judgeAccounting(checks);
  return {
    ...report,
    // Jobs a producer was told were queued and that Redis lost: critical until resumed.
    status: worstStatus([report.status, verdict.status, ingest.reasons.length > 0 ? 'critical' : 'ok']),
    reasons: [...report.reasons, ...verdict.reasons, ...ingest.reasons],
    accounting,
    accountingMismatches: verdict.mismatches,
    rejections,
    anomalies,
    ingestRuns: ingest.runs,
  };
}

/** Anomaly groups the table shows; `--format json` has them all. */
const ANOMALIES_SHOWN = 20;

export function formatFullStatus(status: FullStatus): string {
  const accounting = textTable(
    ['feed', 'force', 'offered', 'stored', 'duplicate', 'rejected'],
    status.accounting.map((row) => [
      row.feed,
      row.forceId || '(unreadable)',
      formatCount(row.offered),
      formatCount(row.stored),
      formatCount(row.duplicate),
      formatCount(row.rejected),
    ]),
    ['left', 'left', 'right', 'right', 'right', 'right'],
  );
  const sections = [formatStatusTable(status), '', 'Events (offered = stored + duplicate + rejected):', accounting];
  if (status.accountingMismatches.length > 0)
    sections.push('', `ACCOUNTING MISMATCH: ${JSON.stringify(status.accountingMismatches)}`);
  if (status.rejections.length > 0) {
    sections.push(
      '',
      'Rejections by reason:',
      textTable(
        ['feed', 'reason', 'events'],
        status.rejections.map((r) => [r.feed, r.reason, formatCount(r.events)]),
        ['left', 'left', 'right'],
      ),
    );
  }
  if (status.anomalies.length > 0) {
    // Each anomaly's own text says how the entity is counted meanwhile: some are not counted at
    // all (`awaiting ...`), most are (`more than one ...: the earliest counts`, `unrecognised ...`).
    sections.push(
      '',
      'Lifecycle anomalies (entities flagged; each anomaly says how the entity is counted):',
      textTable(
        ['force', 'kind', 'anomaly', 'entities'],
        status.anomalies.slice(0, ANOMALIES_SHOWN).map((a) => [a.force_id, a.kind, a.flag, formatCount(a.entities)]),
        ['left', 'left', 'left', 'right'],
      ),
    );
    const more = status.anomalies.length - ANOMALIES_SHOWN;
    if (more > 0) sections.push(`... and ${formatCount(more)} more (rollcall status --format json lists them all)`);
  }
  return sections.join('\n');
}

/**
 * How long status waits for Redis, and PostgreSQL for a connection, before it reports unknown:
 * both at once, within the 10 seconds a monitoring agent (Nagios NRPE) gives a check by default.
 */
export const STATUS_CONNECT_TIMEOUT_MS = 5_000;

/** Status could not be read; the message is the one line printed. */
class StatusUnreadable extends Error {
  override readonly name = 'StatusUnreadable';
}

const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, '; ').trim();
const messageOf = (error: unknown): string =>
  oneLine(error instanceof Error ? error.message || error.name : String(error));

/** `host:port` of a connection URL as written (no credentials, no database name). */
const addressOf = (url: string): string => {
  try {
    return new URL(url).host;
  } catch {
    return '(unparseable URL)';
  }
};

/** PostgreSQL's own refusals carry a five-character SQLSTATE; a socket's failure a code like ECONNREFUSED. */
const sqlStateOf = (error: unknown): string | undefined => {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
};

function describePostgresProblem(error: unknown, databaseUrl: string): string {
  const address = addressOf(databaseUrl);
  const state = sqlStateOf(error);
  if (state === '3D000') return `${messageOf(error)} at ${address}; run rollcall migrate first`;
  if (state !== undefined)
    return `PostgreSQL at ${address} refused the connection (${messageOf(error)}); check DATABASE_URL`;
  return `PostgreSQL is not reachable at ${address} (${messageOf(error)}); start it or check DATABASE_URL`;
}

/**
 * A context whose Redis and PostgreSQL both answered, checked at once. Which one failed is known
 * from which check failed, not guessed from ports or message text, so the hint is right for any
 * address.
 */
async function openCheckedContext(config: Config, log: Logger): Promise<ServiceContext> {
  const context = new ServiceContext(config, log, { maxConnections: 6, applicationName: 'rollcall-cli' });
  const [redis, postgres] = await Promise.allSettled([
    waitForQueueConnection(context.producer, STATUS_CONNECT_TIMEOUT_MS),
    pingDatabase(context.db),
  ]);
  const problems = [
    ...(redis.status === 'rejected'
      ? [
          `${config.queueBackend === 'postgres' ? 'The PostgreSQL queues are' : 'Redis is'} not reachable (${messageOf(redis.reason)}); start it or check REDIS_URL`,
        ]
      : []),
    ...(postgres.status === 'rejected' ? [describePostgresProblem(postgres.reason, config.databaseUrl)] : []),
  ];
  if (problems.length > 0) {
    await context.close();
    throw new StatusUnreadable(problems.join('; '));
  }
  return context;
}

async function readFullStatus(config: Config, log: Logger): Promise<FullStatus> {
  const context = await openCheckedContext(config, log);
  try {
    return await collectFullStatus(context);
  } catch (error) {
    if (sqlStateOf(error) === '42P01')
      throw new StatusUnreadable(`${messageOf(error)}: the database is not migrated; run rollcall migrate`);
    throw error;
  } finally {
    await context.close();
  }
}

/** The one line that says why status could not be read. */
function reasonOf(error: unknown): string {
  if (error instanceof ConfigError) return `invalid configuration: ${error.problems.join('; ')}`;
  if (error instanceof UsageError)
    return `${messageOf(error).replace(/^status: /, '')} (usage: rollcall status [--format table|json])`;
  if (error instanceof StatusUnreadable) return error.message;
  return error instanceof Error && error.name !== 'Error' ? `${error.name}: ${messageOf(error)}` : messageOf(error);
}

/**
 * `rollcall status [--format json]`: exit code 0 ok, 1 warn, 2 critical, and 3 unknown when the
 * status cannot be read at all (bad options or configuration, Redis or PostgreSQL not answering):
 * then stdout is empty and stderr has one line, `rollcall status: unknown: <reason>`. The Nagios
 * convention, so a monitor tells "the pipeline is unwell" from "the check could not look".
 */
export async function statusCommand(args: readonly string[], io: CommandIo): Promise<number> {
  let status: FullStatus;
  let format: 'table' | 'json';
  try {
    const { values } = parseOptions(args, { format: { type: 'string', default: 'table' } }, 'status');
    format = requireOne(values.format, ['table', 'json'] as const, '--format');
    const { config, log } = commandSetup(io, 'status');
    status = await readFullStatus(config, log);
  } catch (error) {
    writeLine(io.stderr, `rollcall status: unknown: ${reasonOf(error)}`);
    return UNKNOWN_EXIT_CODE;
  }
  if (format === 'json') writeLine(io.stdout, JSON.stringify(status, null, 2));
  else writeLine(io.stdout, formatFullStatus(status));
  return exitCodeOf(status.status);
}
