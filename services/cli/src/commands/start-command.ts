import { runServices } from '@rollcall/runtime';
import { commandSetup } from '../cli-context.ts';
import { type CommandIo, parseOptions, requireOne } from '../command-line.ts';
import { loadServiceRoles, SERVICE_ROLE_NAMES, type ServiceRoleName } from '../service-roles.ts';
import { startEmbeddedDeployment } from './embedded-deployment.ts';

const ROLES = [...SERVICE_ROLE_NAMES, 'all'] as const;

/**
 * `rollcall start [--role workers|scheduler|api|all] [--embedded]`: runs the long-lived services in
 * this process until SIGTERM/SIGINT, then stops them gracefully (a second signal forces exit).
 * `--embedded`: on an embedded PostgreSQL with the queues in it (embedded-deployment.ts).
 */
export async function startCommand(args: readonly string[], io: CommandIo): Promise<number> {
  const { values } = parseOptions(
    args,
    { role: { type: 'string', default: 'all' }, embedded: { type: 'boolean', default: false } },
    'start',
  );
  const role = requireOne(values.role, ROLES, '--role');
  const embedded = values.embedded === true ? await startEmbeddedDeployment(io) : undefined;
  try {
    const { config, log } = commandSetup(
      embedded ? { ...io, env: embedded.env } : io,
      'start',
      io.env.LOG_LEVEL ? {} : { LOG_LEVEL: 'info' },
    );
    const names: readonly ServiceRoleName[] = role === 'all' ? SERVICE_ROLE_NAMES : [role];
    await runServices(await loadServiceRoles(names), { config, log, name: names.length === 1 ? names[0] : 'rollcall' });
  } finally {
    await embedded?.stop();
  }
  return 0;
}
