import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';

/** Where the demo and `rollcall start --embedded` keep the embedded cluster, under the working directory. */
export const EMBEDDED_POSTGRES_DIR = 'var/embedded-postgres';

/**
 * The embedded server listens on loopback only, so a fixed password is no secret worth keeping: it
 * keeps `pg`'s password authentication happy without a file to manage.
 */
const EMBEDDED_USER = 'postgres';
const EMBEDDED_PASSWORD = 'rollcall-embedded';

/** The user PostgreSQL runs as when we are root (it refuses to run as root). */
const SERVER_USER = 'postgres';

export interface EmbeddedPostgresServer {
  /** URL of the `postgres` database; callers name their own (`rollcall migrate` creates it). */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** Whether this start created the cluster (first run) or reused the one kept from before. */
  readonly created: boolean;
  readonly startedMs: number;
  stop(): Promise<void>;
}

/**
 * Waits, up to `limitMs`, until no other session is connected. The package stops the server with a
 * fast shutdown, which ends every session with "terminating connection due to administrator
 * command": a pool whose `end()` has resolved may still be closing its sockets, and would log that
 * as a lost connection.
 */
async function waitForClientsToLeave(port: number, limitMs = 2_000): Promise<void> {
  const client = new pg.Client({
    connectionString: `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/postgres`,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const deadline = Date.now() + limitMs;
    while (Date.now() < deadline) {
      const { rows } = await client.query<{ others: number }>(
        // eslint-disable-next-line rollcall/sql-only-in-db -- the embedded server's own shutdown, outside any schema
        `select count(*)::int as others from pg_stat_activity where backend_type = 'client backend' and pid <> pg_backend_pid()`,
      );
      if ((rows[0]?.others ?? 0) === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } catch {
    // Stopping goes ahead whatever this could learn.
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** A port nobody listens on now, on loopback. */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const run = promisify(execFile);

/** The user and group the server runs as: ours, or `postgres`'s when we are root (it refuses root). */
interface ServerIds {
  readonly uid?: number;
  readonly gid?: number;
}

/**
 * As root, PostgreSQL runs as the `postgres` user (created when missing), so the data directory
 * must be its own and the folders above it passable.
 */
async function prepareDataDir(dataDir: string): Promise<ServerIds> {
  // The folders above stay open to others (0755 under the usual umask); only the data is private.
  await mkdir(path.dirname(dataDir), { recursive: true });
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (userInfo().uid !== 0) return {};
  const id = async (flag: '-u' | '-g'): Promise<number> =>
    Number.parseInt((await run('id', [flag, SERVER_USER])).stdout, 10);
  let uid: number;
  try {
    uid = await id('-u');
  } catch {
    await run('useradd', ['--system', '--user-group', SERVER_USER]);
    uid = await id('-u');
  }
  const gid = await id('-g');
  if ((await stat(dataDir)).uid !== uid) await chown(dataDir, uid, gid);
  // The server must be able to pass through every folder above its data (`var/` is often made
  // 0700 by other tools): add search permission for others where it is missing, nothing more.
  for (let folder = path.dirname(dataDir); folder !== path.dirname(folder); folder = path.dirname(folder)) {
    const { mode } = await stat(folder);
    if ((mode & 0o001) === 0) await chmod(folder, (mode & 0o7777) | 0o001);
  }
  return { uid, gid };
}

/**
 * The PostgreSQL binaries of this platform, from the `@embedded-postgres/<platform>-<arch>` package
 * that `embedded-postgres` brings. Its own runner is not used: importing it installs exit hooks
 * that stop the server on SIGINT/SIGTERM and exit the process, before our graceful shutdown has
 * drained the workers; and it starts the server in our process group, where a terminal's Ctrl-C
 * stops it first too.
 */
async function binaries(): Promise<{ readonly initdb: string; readonly postgres: string }> {
  const fromPackage = createRequire(fileURLToPath(import.meta.resolve('embedded-postgres')));
  const entry = fromPackage.resolve(`@embedded-postgres/${process.platform}-${process.arch}`);
  return (await import(pathToFileURL(entry).href)) as { initdb: string; postgres: string };
}

/** Runs `command` as the server's user, resolving on exit 0, rejecting with its output otherwise. */
function runAs(ids: ServerIds, command: string, args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...ids, env: { ...process.env, LC_MESSAGES: 'C' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(command)} exited ${code}: ${output.trim()}`)),
    );
  });
}

/**
 * Starts a real PostgreSQL (the binaries of `@embedded-postgres/<platform>`) with its data under
 * `dir`, kept between runs, on a free loopback port; `stop()` shuts it down cleanly. No Unix
 * socket: only TCP on 127.0.0.1, so it never meets another server's socket file. The server has a
 * process group of its own (signals to ours do not reach it) and is stopped if this process exits
 * without calling `stop()`.
 */
export async function startEmbeddedPostgres(
  options: { readonly dir?: string; readonly port?: number } = {},
): Promise<EmbeddedPostgresServer> {
  const started = Date.now();
  const dataDir = path.resolve(options.dir ?? EMBEDDED_POSTGRES_DIR, 'data');
  const port = options.port ?? (await freeLoopbackPort());
  const ids = await prepareDataDir(dataDir);
  const { initdb, postgres } = await binaries();
  const created = !existsSync(path.join(dataDir, 'PG_VERSION'));
  if (created) {
    // Beside the data, readable by the server's user for the moment initdb reads it.
    const passwordFile = path.join(path.dirname(dataDir), `.pwfile-${process.pid}`);
    await writeFile(passwordFile, `${EMBEDDED_PASSWORD}\n`, { mode: 0o644 });
    try {
      await runAs(ids, initdb, [
        `--pgdata=${dataDir}`,
        '--auth=password',
        `--username=${EMBEDDED_USER}`,
        `--pwfile=${passwordFile}`,
        '--encoding=UTF8',
        '--locale=C',
      ]);
    } finally {
      await rm(passwordFile, { force: true });
    }
  }
  const server = spawn(
    postgres,
    ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    { ...ids, detached: true, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_MESSAGES: 'C' } },
  );
  const log: string[] = [];
  const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      server.stderr.on('data', (chunk: Buffer) => {
        const text = chunk.toString();
        log.push(text);
        if (log.length > 50) log.shift();
        if (text.includes('database system is ready to accept connections')) resolve();
      });
      server.once('error', reject);
      void exited.then(() => reject(new Error('the server exited')));
    });
  } catch (error) {
    throw new Error(`embedded PostgreSQL did not start in ${dataDir} on port ${port}:\n${log.join('').trim()}`, {
      cause: error,
    });
  }
  // Its output is no longer read, only drained, so the pipe never fills.
  server.stderr.resume();
  const killOnExit = (): void => void server.kill('SIGINT');
  process.once('exit', killOnExit);
  let stopping: Promise<void> | undefined;
  return {
    url: `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    created,
    startedMs: Date.now() - started,
    stop: () =>
      (stopping ??= (async () => {
        await waitForClientsToLeave(port);
        process.off('exit', killOnExit);
        // SIGINT: a fast shutdown (sessions ended, a clean checkpoint), as `pg_ctl stop` does.
        if (server.exitCode === null && server.signalCode === null) server.kill('SIGINT');
        await exited;
      })()),
  };
}
