import type { QueueThresholds } from '@rollcall/config';
import type { DbOrTransaction } from '@rollcall/db';
import type { Queue } from 'bullmq';
import { type HealthStatus, worstStatus } from './health-status.ts';
import { checkNightlyDeadMan, type NightlyDeadMan } from './nightly-dead-man.ts';
import { collectQueueHealth, type QueueHealth } from './queue-health.ts';
import { checkReleaseCalendar, type ReleaseCalendarHealth } from './release-calendar-health.ts';
import { checkRedisContinuity, type RedisContinuity, type RedisMarkerClient } from './redis-continuity.ts';
import { checkSnapshotOutbox, type SnapshotOutboxHealth } from './snapshot-outbox-health.ts';
import type { StalledRecorder } from './stalled-counter.ts';

/** What `rollcall status --format json` prints and `GET /v1/queues` returns. */
export interface StatusReport {
  /** ISO instant the figures were measured at. */
  readonly generatedAt: string;
  readonly status: HealthStatus;
  readonly queues: readonly QueueHealth[];
  readonly nightly: NightlyDeadMan;
  /** Snapshots published whose files or message are not delivered (see `checkSnapshotOutbox`). */
  readonly snapshotOutbox: SnapshotOutboxHealth;
  /** Whether Redis kept its data since the last check (`checkRedisContinuity`); absent when not checked. */
  readonly redis?: RedisContinuity;
  /** Pre-announced releases overdue or delivered late (`checkReleaseCalendar`). */
  readonly releases?: ReleaseCalendarHealth;
  /** Every reason of every part, prefixed with the part (`feed.dvpo: ...`, `nightly: ...`, `snapshots: ...`). */
  readonly reasons: readonly string[];
}

/** The worst status of the parts: one critical queue makes the pipeline critical. */
export function overallStatus(parts: Iterable<{ readonly status: HealthStatus }>): HealthStatus {
  return worstStatus([...parts].map((part) => part.status));
}

/** Exit code for `rollcall status`, cron and monitoring (the Nagios convention): 0 ok, 1 warn, 2 critical. */
export function exitCodeOf(status: HealthStatus): 0 | 1 | 2 {
  return status === 'ok' ? 0 : status === 'warn' ? 1 : 2;
}

/**
 * Exit code for a status that could not be read at all (Redis or PostgreSQL not answering, bad
 * configuration): the Nagios convention's UNKNOWN, so a monitor does not take an outage of the
 * check for a `warn` of the pipeline.
 */
export const UNKNOWN_EXIT_CODE = 3;

export interface CollectStatusReportOptions {
  readonly queues: readonly Queue[];
  readonly db: DbOrTransaction;
  readonly thresholds: QueueThresholds;
  readonly deadManHours: number;
  readonly now?: number;
  readonly sampleSize?: number;
  readonly stalled?: Pick<StalledRecorder, 'count'>;
  readonly externalConsumers?: readonly string[];
  /** Where to keep and look for the Redis epoch (`checkRedisContinuity`); without it the check is skipped. */
  readonly redisMarker?: { readonly client: RedisMarkerClient; readonly prefix: string };
}

export async function collectStatusReport(options: CollectStatusReportOptions): Promise<StatusReport> {
  const now = options.now ?? Date.now();
  const [queues, nightly, snapshotOutbox, redis, releases] = await Promise.all([
    collectQueueHealth(options.queues, {
      thresholds: options.thresholds,
      now,
      ...(options.sampleSize === undefined ? {} : { sampleSize: options.sampleSize }),
      ...(options.stalled === undefined ? {} : { stalled: options.stalled }),
      ...(options.externalConsumers === undefined ? {} : { externalConsumers: options.externalConsumers }),
    }),
    checkNightlyDeadMan(options.db, { deadManHours: options.deadManHours, now }),
    checkSnapshotOutbox(options.db),
    options.redisMarker === undefined
      ? undefined
      : checkRedisContinuity(options.db, options.redisMarker.client, options.redisMarker.prefix, now),
    checkReleaseCalendar(options.db, now),
  ]);
  return {
    generatedAt: new Date(now).toISOString(),
    status: overallStatus([...queues, nightly, snapshotOutbox, ...(redis ? [redis] : []), releases]),
    queues,
    nightly,
    snapshotOutbox,
    ...(redis && { redis }),
    releases,
    reasons: [
      ...queues.flatMap((queue) => queue.reasons.map((reason) => `${queue.queue}: ${reason}`)),
      ...(nightly.reason ? [`nightly: ${nightly.reason}`] : []),
      ...snapshotOutbox.reasons.map((reason) => `snapshots: ${reason}`),
      ...(redis?.reason ? [`redis: ${redis.reason}`] : []),
      ...releases.reasons.map((reason) => `releases: ${reason}`),
    ],
  };
}

interface Column {
  readonly title: string;
  readonly align: 'left' | 'right';
  readonly cell: (queue: QueueHealth) => string;
}

const whole = (value: number | null): string => (value === null ? '-' : String(Math.round(value)));
const rate = (value: { lastMinute: number; mean15m: number }): string =>
  `${value.lastMinute} (${value.mean15m.toFixed(1)})`;

const COLUMNS: readonly Column[] = [
  { title: 'queue', align: 'left', cell: (q) => q.queue },
  { title: 'waiting', align: 'right', cell: (q) => String(q.counts.waiting) },
  { title: 'active', align: 'right', cell: (q) => String(q.counts.active) },
  { title: 'delayed', align: 'right', cell: (q) => String(q.counts.delayed) },
  { title: 'failed', align: 'right', cell: (q) => String(q.counts.failed) },
  { title: 'completed', align: 'right', cell: (q) => String(q.counts.completed) },
  { title: 'done/min', align: 'right', cell: (q) => rate(q.completedPerMinute) },
  { title: 'failed/min', align: 'right', cell: (q) => rate(q.failedPerMinute) },
  { title: 'lag s', align: 'right', cell: (q) => whole(q.oldestWaitingSeconds) },
  { title: 'p50 ms', align: 'right', cell: (q) => whole(q.processingTime.p50Ms) },
  { title: 'p95 ms', align: 'right', cell: (q) => whole(q.processingTime.p95Ms) },
  { title: 'stalled', align: 'right', cell: (q) => whole(q.stalledSeen) },
  { title: 'workers', align: 'right', cell: (q) => String(q.workers) },
  { title: 'status', align: 'left', cell: (q) => q.status },
];

function describeNightly(nightly: NightlyDeadMan): string {
  const success = nightly.lastSuccessAt
    ? `last success ${nightly.lastSuccessAt} (as of ${nightly.lastSuccessAsOf}), ${(nightly.hoursSinceSuccess ?? 0).toFixed(1)} h ago`
    : 'never succeeded';
  return `nightly: ${nightly.status}, ${success}`;
}

function describeSnapshotOutbox(outbox: SnapshotOutboxHealth): string {
  const failing = outbox.failingCount > 0 ? `, ${outbox.failingCount} failing` : '';
  return `snapshot files and messages: ${outbox.status}, ${outbox.undelivered} undelivered${failing}`;
}

/**
 * The report as a fixed-width table for a terminal: one row per queue, then the nightly run,
 * the overall status and every reason. Per-minute cells read "last minute (15-minute mean)".
 */
export function formatStatusTable(report: StatusReport): string {
  const rows = [
    COLUMNS.map((column) => column.title),
    ...report.queues.map((queue) => COLUMNS.map((column) => column.cell(queue))),
  ];
  const widths = COLUMNS.map((_, index) => Math.max(...rows.map((row) => (row[index] ?? '').length)));
  const line = (row: readonly string[]): string =>
    COLUMNS.map((column, index) => {
      const text = row[index] ?? '';
      const width = widths[index] ?? 0;
      return column.align === 'right' ? text.padStart(width) : text.padEnd(width);
    })
      .join('  ')
      .trimEnd();
  const [header, ...body] = rows;
  const lines = [
    line(header ?? []),
    ...body.map(line),
    '',
    describeNightly(report.nightly),
    describeSnapshotOutbox(report.snapshotOutbox),
    ...(report.redis
      ? [
          `redis data: ${report.redis.status}${report.redis.lostDetectedAt ? `, a loss detected at ${report.redis.lostDetectedAt}` : ', kept since the last check'}`,
        ]
      : []),
    `status: ${report.status} at ${report.generatedAt} (per minute: last complete minute, 15-minute mean in brackets)`,
  ];
  if (report.reasons.length > 0) lines.push('reasons:', ...report.reasons.map((reason) => `  - ${reason}`));
  return `${lines.join('\n')}\n`;
}
