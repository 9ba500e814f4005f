import { AppContext, startFeedWorkers } from '@rollcall/app';
import { createGracefulShutdown } from '@rollcall/runtime';
import { commandSetup } from '../cli-context.ts';
import { type CommandIo, parseOptions, requireOne } from '../command-line.ts';

const ROLES = ['workers', 'scheduler', 'api', 'all'] as const;
export type Role = (typeof ROLES)[number];

/**
 * `rollcall start [--role workers|scheduler|api|all]`: runs the long-lived services in this
 * process until SIGTERM/SIGINT, then stops them gracefully (a second signal forces exit).
 */
export async function startCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseOptions(args, { role: { type: 'string', default: 'all' } }, 'start');
  const role = requireOne(values.role, ROLES, '--role');
  const { config, log } = commandSetup(io, 'start', io.env.LOG_LEVEL ? {} : { LOG_LEVEL: 'info' });
  const context = await AppContext.open(config, log, { applicationName: `rollcall-${role}` });
  const shutdown = createGracefulShutdown(log, config.shutdownTimeoutSeconds * 1_000);
  shutdown.installSignalHandlers();
  await context.checkRedisEvictionPolicy();
  const services = await startServices(context, shutdown, role);
  shutdown.add({ name: 'connections', run: () => context.close() });
  log.info({ role, services }, 'rollcall started; SIGTERM or SIGINT to stop');
  await shutdown.done;
  return 0;
}

/** Starts the services of a role; the registry of what `start` and the service mains run. */
export async function startServices(context: AppContext, shutdown: ReturnType<typeof createGracefulShutdown>, role: Role): Promise<string[]> {
  const started: string[] = [];
  if (role === 'workers' || role === 'all') {
    await startFeedWorkers(context, shutdown);
    started.push('workers');
  }
  return started;
}
