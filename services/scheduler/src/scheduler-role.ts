import { watchStalled } from '@rollcall/ops';
import {
  drainSnapshotOutbox,
  publishDepsOf,
  type PublishOutcome,
  publishSnapshot,
  reviseStaleSnapshots,
} from '@rollcall/publishing';
import type { GracefulShutdown, ServiceContext, ServiceRole } from '@rollcall/runtime';
import {
  assertForcesKnown,
  createNightlyWorker,
  watchReleases,
  enqueueCatchUp,
  installNightlySchedule,
  type NightlyRunReport,
  type NightlyPublication,
  type NightlyTrigger,
  runNightly,
} from '@rollcall/scheduling';

/** What the run ledger keeps of a publication: ids and whether it was new, not the document. */
const slim = (outcome: PublishOutcome): NightlyPublication => ({
  forceId: outcome.forceId,
  asOf: outcome.asOf,
  snapshotId: outcome.snapshotId,
  revision: outcome.revision,
  created: outcome.created,
});

export interface SchedulerServiceOptions {
  /** The clock that decides which dates are due, epoch ms; `Date.now` by default (tests fix it). */
  readonly now?: () => number;
}

/** The nightly run for this deployment's forces, through the snapshot publisher. */
export function nightlyRunner(
  context: ServiceContext,
  options: SchedulerServiceOptions = {},
): (trigger: NightlyTrigger) => Promise<NightlyRunReport> {
  const deps = publishDepsOf(context.config, context);
  return (trigger) =>
    runNightly({
      db: context.db,
      forces: context.config.forces,
      timeZone: context.config.timeZone,
      catchUpDays: context.config.nightly.catchUpDays,
      partitions: context.config.partitions,
      publish: async (forceId, asOf) => slim(await publishSnapshot(deps, forceId, asOf)),
      reviseStale: async () => (await reviseStaleSnapshots(deps, context.config.forces)).map(slim),
      deliverPending: () => drainSnapshotOutbox(deps),
      log: context.log.child({ component: 'nightly' }),
      trigger,
      ...(options.now ? { now: options.now } : {}),
    });
}

/**
 * Checks FORCES against the reference data (UnknownForcesError: the scheduler does not start
 * with a force it would fail to publish every night), delivers snapshots a previous process
 * committed but did not write out, installs (or updates) the nightly job scheduler, starts the
 * worker that runs it, and queues a catch-up run at start so dates missed while the service was
 * down are published without waiting for the next night.
 */
export async function startScheduler(
  context: ServiceContext,
  shutdown: GracefulShutdown,
  options: SchedulerServiceOptions = {},
): Promise<void> {
  await assertForcesKnown(context.db, context.config.forces);
  const deliveries = await drainSnapshotOutbox(publishDepsOf(context.config, context));
  if (deliveries.length > 0) {
    context.log.info(
      {
        delivered: deliveries.filter((d) => d.error === null).length,
        failed: deliveries.filter((d) => d.error !== null).length,
      },
      'snapshots left undelivered by a previous process delivered',
    );
  }
  const schedule = await installNightlySchedule(context.queues, {
    cron: context.config.nightly.cron,
    timeZone: context.config.timeZone,
  });
  const worker = createNightlyWorker({
    connection: context.workerConnection('rollcall-scheduler'),
    prefix: context.config.queuePrefix,
    log: context.log,
    run: nightlyRunner(context, options),
  });
  // Nightly jobs count in the same job-duration and stalled metrics as feed jobs.
  const unwatch = watchStalled(worker, context.stalled(), context.log);
  const unobserve = context.metrics().observeWorker(worker);
  shutdown.add({
    name: 'nightly worker',
    run: async () => {
      unwatch();
      unobserve();
      await worker.close();
    },
  });
  // Pre-announced releases: their files and message go out at the announced time (operations.md, "Release control").
  const stopReleases = watchReleases({
    db: context.db,
    deliver: () => drainSnapshotOutbox(publishDepsOf(context.config, context)),
    log: context.log,
  });
  shutdown.add({ name: 'release watch', run: stopReleases });
  const catchUp = await enqueueCatchUp(context.queues, 'startup', {
    timeZone: context.config.timeZone,
    ...(options.now ? { now: options.now } : {}),
  });
  context.log.info(
    {
      cron: context.config.nightly.cron,
      timeZone: context.config.timeZone,
      next: schedule.next ? new Date(schedule.next).toISOString() : null,
      catchUp,
    },
    'nightly schedule installed',
  );
}

/** The scheduler role: the nightly run's schedule and worker (one run at a time across processes). */
export function schedulerRole(options: SchedulerServiceOptions = {}): ServiceRole {
  return { name: 'scheduler', start: (context, shutdown) => startScheduler(context, shutdown, options) };
}
