import { runServices, SERVICE_ROLES, type ServiceRole } from '@rollcall/app';
import { commandSetup } from '../cli-context.ts';
import { type CommandIo, parseOptions, requireOne } from '../command-line.ts';

const ROLES = [...SERVICE_ROLES, 'all'] as const;

/**
 * `rollcall start [--role workers|scheduler|api|all]`: runs the long-lived services in this
 * process until SIGTERM/SIGINT, then stops them gracefully (a second signal forces exit).
 */
export async function startCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseOptions(args, { role: { type: 'string', default: 'all' } }, 'start');
  const role = requireOne(values.role, ROLES, '--role');
  const { config, log } = commandSetup(io, 'start', io.env.LOG_LEVEL ? {} : { LOG_LEVEL: 'info' });
  const roles: readonly ServiceRole[] = role === 'all' ? SERVICE_ROLES : [role];
  await runServices(roles, { config, log });
  return 0;
}
