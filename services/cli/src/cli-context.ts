import { ServiceContext } from '@rollcall/runtime';
import { type Config, loadConfig } from '@rollcall/config';
import { createLogger, type Logger } from '@rollcall/logger';
import type { CommandIo } from './command-line.ts';

/**
 * Configuration and logger for a command. Logs go to stderr; on a terminal they default to
 * `warn` because progress bars speak there, elsewhere (cron, CI) to `info`, unless LOG_LEVEL says.
 */
export function commandSetup(
  io: CommandIo,
  command: string,
  overrides: Record<string, string> = {},
): { config: Config; log: Logger } {
  const env = { ...io.env, ...overrides };
  const config = loadConfig(env);
  const level = env.LOG_LEVEL ? config.logLevel : io.stderr.isTTY ? 'warn' : 'info';
  const log = createLogger({ service: `rollcall ${command}`, level, destination: 'stderr' });
  return { config, log };
}

/** Runs `work` with an ServiceContext that is always closed afterwards, whatever happens. */
export async function withServiceContext<T>(
  config: Config,
  log: Logger,
  work: (context: ServiceContext) => Promise<T>,
): Promise<T> {
  const context = await ServiceContext.open(config, log, { maxConnections: 6, applicationName: 'rollcall-cli' });
  try {
    return await work(context);
  } finally {
    await context.close();
  }
}
