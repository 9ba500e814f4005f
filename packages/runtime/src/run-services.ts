import { type Config, loadConfig } from '@rollcall/config';
import { createLogger, type Logger } from '@rollcall/logger';
import { createGracefulShutdown, type GracefulShutdown } from './graceful-shutdown.ts';
import { ServiceContext } from './service-context.ts';

/**
 * One long-lived part of a deployment (the feed workers, the scheduler, the HTTP API, the metrics
 * port). Each service's `src/` declares the roles it runs; `rollcall start` runs several in one
 * process. `start` registers its own shutdown steps on `shutdown`.
 */
export interface ServiceRole {
  readonly name: string;
  start(context: ServiceContext, shutdown: GracefulShutdown): Promise<void>;
}

export interface RunServicesOptions {
  /** The process's name in logs and in PostgreSQL's application_name; the roles' names by default. */
  readonly name?: string;
  readonly env?: Record<string, string | undefined>;
  readonly log?: Logger;
  readonly config?: Config;
  /** Called with the shutdown handle once everything runs (tests stop the services with it). */
  readonly onStarted?: (shutdown: GracefulShutdown, context: ServiceContext) => void;
  /** Install SIGTERM/SIGINT handlers (default true; tests drive shutdown themselves). */
  readonly handleSignals?: boolean;
}

/**
 * Runs roles in this process until SIGTERM/SIGINT, then stops them in order: stop fetching and
 * finish in-flight jobs, close queues, Redis and the database pool, each step bounded by
 * SHUTDOWN_TIMEOUT_SECONDS; a second signal exits at once. Roles start in the order given and
 * stop in reverse.
 */
export async function runServices(roles: readonly ServiceRole[], options: RunServicesOptions = {}): Promise<void> {
  const config = options.config ?? loadConfig(options.env ?? process.env);
  const names = roles.map((role) => role.name);
  const service = options.name ?? (names.length === 1 && names[0] !== undefined ? names[0] : 'rollcall');
  const log = options.log ?? createLogger({ service, level: config.logLevel });
  const context = await ServiceContext.open(config, log, {
    applicationName: `rollcall-${options.name ?? names.join('-')}`,
  });
  const shutdown = createGracefulShutdown(log, config.shutdownTimeoutSeconds * 1_000);
  if (options.handleSignals !== false) shutdown.installSignalHandlers();
  try {
    await context.checkRedisEvictionPolicy();
    for (const role of roles) await role.start(context, shutdown);
  } catch (error) {
    await shutdown.shutdown('start failed');
    await context.close();
    throw error;
  }
  shutdown.add({ name: 'queues, Redis and the database pool', run: () => context.close() });
  log.info(
    { roles: names, forces: config.forces, queuePrefix: config.queuePrefix },
    'rollcall running; SIGTERM or SIGINT stops it',
  );
  options.onStarted?.(shutdown, context);
  await shutdown.done;
}

/** A service's main: runs its roles, and on a start failure prints one line and exits 1. */
export async function serviceMain(name: string, roles: readonly ServiceRole[]): Promise<void> {
  try {
    await runServices(roles, { name });
  } catch (error) {
    process.stderr.write(`rollcall ${name}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
