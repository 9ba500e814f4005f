import { createHash, randomBytes } from 'node:crypto';
import { API_SCOPES, type ApiScope } from '@rollcall/config';
import { type CommandIo, parseOptions, UsageError, writeLine } from '../command-line.ts';

/**
 * `rollcall token create --name <name> --scopes read:snapshots[,read:ops][,admin]`: prints a new
 * bearer token once, and the API_TOKENS entry that holds only its SHA-256, so the token itself is
 * never stored in configuration.
 */
export async function tokenCommand(args: readonly string[], io: CommandIo): Promise<number> {
  if (args[0] !== 'create')
    throw new UsageError('token: the only sub-command is "token create --name <name> --scopes <scopes>"');
  const { values } = parseOptions(
    args.slice(1),
    { name: { type: 'string' }, scopes: { type: 'string' } },
    'token create',
  );
  if (!values.name) throw new UsageError('token create: --name is required (who or what uses the token)');
  const scopes = (values.scopes ?? '')
    .split(',')
    .map((scope) => scope.trim())
    .filter(Boolean);
  const unknown = scopes.filter((scope) => !(API_SCOPES as readonly string[]).includes(scope));
  if (scopes.length === 0 || unknown.length > 0) {
    throw new UsageError(
      `token create: --scopes must list one or more of ${API_SCOPES.join(', ')}${unknown.length ? ` (unknown: ${unknown.join(', ')})` : ''}`,
    );
  }
  const token = `rc_${randomBytes(24).toString('base64url')}`;
  const entry = {
    name: values.name,
    sha256: createHash('sha256').update(token).digest('hex'),
    scopes: scopes as ApiScope[],
  };
  writeLine(io.stdout, `token (shown once, give it to ${values.name}): ${token}`);
  writeLine(io.stdout, `API_TOKENS entry: ${JSON.stringify(entry)}`);
  return 0;
}
