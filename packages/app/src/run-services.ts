import { type Config, loadConfig } from '@rollcall/config';
import { createLogger, type Logger } from '@rollcall/logger';
import { createGracefulShutdown, type GracefulShutdown } from '@rollcall/runtime';
import { AppContext } from './app-context.ts';

export const SERVICE_ROLES = ['workers', 'scheduler', 'api'] as const;
export type ServiceRole = (typeof SERVICE_ROLES)[number];

/**
 * Starts one role in a running context; the one place that knows what each role runs. Each
 * role's modules are imported when it starts, so a worker process never loads the HTTP server,
 * bull-board or the scheduler (and a bundled service keeps them in chunks it does not read).
 */
async function startRole(role: ServiceRole, context: AppContext, shutdown: GracefulShutdown, options: RunServicesOptions): Promise<void> {
  switch (role) {
    case 'workers':
      await (await import('./feed-worker-service.ts')).startFeedWorkers(context, shutdown);
      return;
    case 'scheduler':
      await (await import('./scheduler-service.ts')).startScheduler(context, shutdown, options.now ? { now: options.now } : {});
      return;
    case 'api':
      await (await import('./api-service.ts')).startApi(context, shutdown);
      return;
  }
}

export interface RunServicesOptions {
  readonly env?: Record<string, string | undefined>;
  readonly log?: Logger;
  readonly config?: Config;
  /** Called with the shutdown handle once everything runs (tests stop the services with it). */
  readonly onStarted?: (shutdown: GracefulShutdown, context: AppContext) => void;
  /** The clock deciding which nightly dates are due, epoch ms; `Date.now` by default (tests fix it). */
  readonly now?: () => number;
  /** Install SIGTERM/SIGINT handlers (default true; tests drive shutdown themselves). */
  readonly handleSignals?: boolean;
}

/**
 * Runs long-lived services in this process until SIGTERM/SIGINT, then stops them in order:
 * stop fetching and finish in-flight jobs, close queues, Redis and the database pool, each step
 * bounded by SHUTDOWN_TIMEOUT_SECONDS; a second signal exits at once. The services' mains and
 * `rollcall start` both come here.
 */
export async function runServices(roles: readonly ServiceRole[], options: RunServicesOptions = {}): Promise<void> {
  const config = options.config ?? loadConfig(options.env ?? process.env);
  const log = options.log ?? createLogger({ service: roles.length === 1 ? roles[0]! : 'rollcall', level: config.logLevel });
  const context = await AppContext.open(config, log, { applicationName: `rollcall-${roles.join('-')}` });
  const shutdown = createGracefulShutdown(log, config.shutdownTimeoutSeconds * 1_000);
  if (options.handleSignals !== false) shutdown.installSignalHandlers();
  try {
    await context.checkRedisEvictionPolicy();
    for (const role of roles) await startRole(role, context, shutdown, options);
    if (context.config.metricsPort !== undefined) await (await import('./metrics-service.ts')).startMetricsServer(context, shutdown);
  } catch (error) {
    await shutdown.shutdown('start failed');
    await context.close();
    throw error;
  }
  shutdown.add({ name: 'queues, Redis and the database pool', run: () => context.close() });
  log.info({ roles, forces: config.forces, queuePrefix: config.queuePrefix }, 'rollcall running; SIGTERM or SIGINT stops it');
  options.onStarted?.(shutdown, context);
  await shutdown.done;
}

/** A service's main: runs its role, and on a start failure prints one line and exits 1. */
export async function serviceMain(role: ServiceRole): Promise<void> {
  try {
    await runServices([role]);
  } catch (error) {
    process.stderr.write(`rollcall ${role}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
