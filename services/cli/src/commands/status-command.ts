import type { AppContext } from '@rollcall/app';
import { checkAccounting, countFlaggedEntities, readAccounting, summariseRejections } from '@rollcall/db';
import { collectStatusReport, createStalledRecorder, exitCodeOf, formatStatusTable, type StatusReport } from '@rollcall/ops';
import { ALL_QUEUE_NAMES, SNAPSHOTS_PUBLISHED_QUEUE } from '@rollcall/queue';
import { commandSetup, withAppContext } from '../cli-context.ts';
import { type CommandIo, parseOptions, requireOne, writeLine } from '../command-line.ts';
import { formatCount, textTable } from '../text-table.ts';

export interface FullStatus extends StatusReport {
  readonly accounting: Awaited<ReturnType<typeof readAccounting>>;
  /** Counters that disagree with the rows they count (should always be empty). */
  readonly accountingMismatches: Awaited<ReturnType<typeof checkAccounting>>;
  readonly rejections: Awaited<ReturnType<typeof summariseRejections>>;
  readonly anomalies: Awaited<ReturnType<typeof countFlaggedEntities>>;
}

export async function collectFullStatus(context: AppContext): Promise<FullStatus> {
  const report = await collectStatusReport({
    queues: ALL_QUEUE_NAMES.map((name) => context.queues.queue(name)),
    db: context.db,
    thresholds: context.config.queueThresholds,
    deadManHours: context.config.nightly.deadManHours,
    stalled: createStalledRecorder(context.producer, context.config.queuePrefix),
    externalConsumers: [SNAPSHOTS_PUBLISHED_QUEUE],
  });
  const [accounting, checks, rejections, anomalies] = await Promise.all([
    readAccounting(context.db),
    checkAccounting(context.db),
    summariseRejections(context.db),
    countFlaggedEntities(context.db),
  ]);
  return {
    ...report,
    accounting,
    accountingMismatches: checks.filter((check) => check.accountedStored !== check.eventsInTable || check.accountedRejected !== check.rejectedInTable),
    rejections,
    anomalies,
  };
}

export function formatFullStatus(status: FullStatus): string {
  const accounting = textTable(
    ['feed', 'force', 'offered', 'stored', 'duplicate', 'rejected'],
    status.accounting.map((row) => [row.feed, row.forceId || '(unreadable)', formatCount(row.offered), formatCount(row.stored), formatCount(row.duplicate), formatCount(row.rejected)]),
    ['left', 'left', 'right', 'right', 'right', 'right'],
  );
  const sections = [formatStatusTable(status), '', 'Events (offered = stored + duplicate + rejected):', accounting];
  if (status.accountingMismatches.length > 0) sections.push('', `ACCOUNTING MISMATCH: ${JSON.stringify(status.accountingMismatches)}`);
  if (status.rejections.length > 0) {
    sections.push('', 'Rejections by reason:', textTable(['feed', 'reason', 'events'], status.rejections.map((r) => [r.feed, r.reason, formatCount(r.events)]), ['left', 'left', 'right']));
  }
  if (status.anomalies.length > 0) {
    sections.push(
      '',
      'Lifecycle anomalies (flagged, not counted until resolved):',
      textTable(['force', 'kind', 'anomaly', 'entities'], status.anomalies.slice(0, 20).map((a) => [a.force_id, a.kind, a.flag, formatCount(a.entities)]), ['left', 'left', 'left', 'right']),
    );
  }
  return sections.join('\n');
}

/** `rollcall status [--format json]`: exit code 0 ok, 1 warn, 2 critical, for cron and monitoring. */
export async function statusCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseOptions(args, { format: { type: 'string', default: 'table' } }, 'status');
  const format = requireOne(values.format, ['table', 'json'] as const, '--format');
  const { config, log } = commandSetup(io, 'status');
  const status = await withAppContext(config, log, collectFullStatus);
  if (format === 'json') writeLine(io.stdout, JSON.stringify(status, null, 2));
  else writeLine(io.stdout, formatFullStatus(status));
  return exitCodeOf(status.status);
}
