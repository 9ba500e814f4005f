import { ConfigError } from '@rollcall/config';
import { BackingServiceUnavailableError } from '@rollcall/backing-services';
import { CommandFailed, type CommandIo, UsageError, writeLine } from './command-line.ts';
import { demoCommand } from './commands/demo-command.ts';
import { drainCommand } from './commands/drain-command.ts';
import { reconcileCommand } from './commands/reconcile-command.ts';
import { importPublishedCommand } from './commands/import-published-command.ts';
import { explainCommand } from './commands/explain-command.ts';
import { ingestCommand } from './commands/ingest-command.ts';
import { migrateCommand } from './commands/migrate-command.ts';
import { releaseCommand } from './commands/release-command.ts';
import { replayCommand } from './commands/replay-command.ts';
import { retryFailedCommand } from './commands/retry-failed-command.ts';
import { snapshotCommand } from './commands/snapshot-command.ts';
import { startCommand } from './commands/start-command.ts';
import { statusCommand } from './commands/status-command.ts';
import { tokenCommand } from './commands/token-command.ts';

type Command = (args: readonly string[], io: CommandIo) => Promise<number>;

/** The operator interface (operations.md): names are stable once built. */
const COMMANDS: Readonly<Record<string, { readonly run: Command; readonly usage: string }>> = {
  migrate: {
    run: migrateCommand,
    usage: 'migrate                                    apply database migrations and load reference data',
  },
  start: {
    run: startCommand,
    usage: 'start [--role workers|scheduler|api|all] [--embedded]   run the services until SIGTERM/SIGINT',
  },
  ingest: {
    run: ingestCommand,
    usage: 'ingest --feed <feed> [--format ndjson|police-uk-csv] <file>   queue a file of events',
  },
  'import-published': {
    run: importPublishedCommand,
    usage: 'import-published --source police-uk-999|published-long <file>   load figures others published',
  },
  drain: {
    run: drainCommand,
    usage: 'drain [--timeout <s>]                      wait until every feed queue is empty',
  },
  snapshot: {
    run: snapshotCommand,
    usage:
      'snapshot --as-of <date> [--force <id>] [--format json|csv]   publish and print\n  snapshot show [--latest|<snapshotId>] [--format json|csv]    print a published snapshot',
  },
  reconcile: {
    run: reconcileCommand,
    usage:
      'reconcile --force <id> --from <YYYY-MM> --to <YYYY-MM> [--tolerance <points>]   own figures beside published ones; exit 1 beyond tolerance',
  },
  explain: {
    run: explainCommand,
    usage:
      'explain <snapshotId> <measureId> [--period <id>] [--breakdown k=v ...] [--json]   one published entry and the rows behind it',
  },
  release: {
    run: releaseCommand,
    usage:
      'release schedule --force <id> --as-of <date> --at <YYYY-MM-DDTHH:MM> [<zone>]   announce a release (embargoed until then)\n  release list [--force <id>] [--format json]   the release calendar\n  release access --force <id> --as-of <date>   who fetched it before release',
  },
  replay: {
    run: replayCommand,
    usage: 'replay [--from <d>] [--to <d>] [--entities] [--lanes <n>]  rebuild aggregates from stored events',
  },
  status: {
    run: statusCommand,
    usage: 'status [--format json]                     queue health; exit 0 ok, 1 warn, 2 critical, 3 unknown',
  },
  'retry-failed': {
    run: retryFailedCommand,
    usage: 'retry-failed --queue <name> [--limit <n>]  re-queue jobs that exhausted their retries',
  },
  token: {
    run: tokenCommand,
    usage: 'token create --name <name> --scopes <s>    new API token and its API_TOKENS entry',
  },
  demo: {
    run: demoCommand,
    usage: 'demo [--month YYYY-MM] [--scale <x>] [--embedded]   the whole pipeline on a generated month',
  },
};

export function usage(): string {
  return [
    'usage: rollcall <command> [options]',
    '',
    ...Object.values(COMMANDS).map((command) => `  ${command.usage}`),
  ].join('\n');
}

/**
 * Runs one command and returns its exit code. Every failure becomes one line on stderr naming
 * the command and the reason (configuration problems: one line per bad variable), never a stack
 * trace, because cron mails and CI logs are read by people who need the reason, not the code.
 */
export async function runCli(argv: readonly string[], io: CommandIo): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    writeLine(name === undefined ? io.stderr : io.stdout, usage());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    writeLine(io.stderr, `rollcall: unknown command ${JSON.stringify(name)}\n\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof UsageError) {
      writeLine(io.stderr, `rollcall ${error.message}`);
      return 2;
    }
    if (error instanceof ConfigError || error instanceof BackingServiceUnavailableError) {
      writeLine(io.stderr, `rollcall ${name}: ${error.message}`);
      return 1;
    }
    if (error instanceof CommandFailed) {
      writeLine(io.stderr, `rollcall ${name}: ${error.message}`);
      return error.exitCode;
    }
    const reason =
      error instanceof Error ? `${error.name === 'Error' ? '' : `${error.name}: `}${error.message}` : String(error);
    writeLine(io.stderr, `rollcall ${name}: ${connectionHint(reason, io.env) ?? reason}`);
    if (io.env.ROLLCALL_DEBUG) writeLine(io.stderr, (error as Error).stack ?? '');
    return 1;
  }
}

/** The port of a service URL (or its default), as it appears in a connection error. */
function portOf(url: string | undefined, fallback: string): string {
  try {
    return url ? new URL(url).port || fallback : fallback;
  } catch {
    return fallback;
  }
}

/** Plain words for the errors people meet most: a service that is not there, on whatever port it is configured. */
function connectionHint(reason: string, env: Readonly<Record<string, string | undefined>>): string | undefined {
  const refused = (port: string) => new RegExp(`ECONNREFUSED [^ ]*:${port}\\b`).test(reason);
  if (refused(portOf(env.DATABASE_URL, '5432')))
    return `PostgreSQL is not reachable (${reason}); start it or set DATABASE_URL`;
  if (refused(portOf(env.REDIS_URL, '6379')) || /Connection is closed|Stream isn't writeable/.test(reason))
    return `Redis is not reachable (${reason}); start it or set REDIS_URL`;
  if (/database ".*" does not exist/.test(reason)) return `${reason}; run rollcall migrate first`;
  if (/relation ".*" does not exist/.test(reason))
    return `${reason}: the database is not migrated; run rollcall migrate`;
  return undefined;
}
