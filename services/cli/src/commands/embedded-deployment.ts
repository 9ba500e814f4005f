import { EMBEDDED_POSTGRES_DIR, startEmbeddedPostgres } from '@rollcall/backing-services';
import { type CommandIo, UsageError, writeLine } from '../command-line.ts';
import { migrateDatabase } from './migrate-command.ts';

/**
 * `rollcall start --embedded`: a single-host deployment with Node alone. An embedded PostgreSQL 17
 * under var/embedded-postgres (data kept between runs, a free loopback port) holds the figures and
 * every queue (QUEUE_BACKEND=postgres); its `rollcall` database is migrated before the services
 * start, and the server stops after they have. Limits: operations.md, "Node only".
 *
 * @returns the environment the services run with, and the stop to call once they have finished.
 */
export async function startEmbeddedDeployment(
  io: CommandIo,
): Promise<{ readonly env: Record<string, string | undefined>; stop(): Promise<void> }> {
  // EMBEDDED_POSTGRES_DIR and EMBEDDED_POSTGRES_PORT: where its data lives, and a fixed port so
  // that the commands an operator runs beside it keep one DATABASE_URL from start to start.
  const port = io.env.EMBEDDED_POSTGRES_PORT ? Number(io.env.EMBEDDED_POSTGRES_PORT) : undefined;
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65_536))
    throw new UsageError(`EMBEDDED_POSTGRES_PORT must be a port number (got ${io.env.EMBEDDED_POSTGRES_PORT})`);
  const dir = io.env.EMBEDDED_POSTGRES_DIR || EMBEDDED_POSTGRES_DIR;
  const server = await startEmbeddedPostgres({ dir, ...(port !== undefined && { port }) });
  try {
    const url = new URL(server.url);
    url.pathname = '/rollcall';
    const migration = await migrateDatabase(url.toString());
    writeLine(
      io.stderr,
      `Started embedded PostgreSQL 17 (${dir}, ${server.created ? 'new' : 'kept from the last run'}, 127.0.0.1:${server.port}, ${(server.startedMs / 1000).toFixed(1)} s; ${migration.applied.length} migration(s) applied) with the queues in it (QUEUE_BACKEND=postgres), because --embedded was given; it stops when the services do.`,
    );
    // The other commands (ingest, status, drain, snapshot) reach the same pipeline with these two.
    writeLine(
      io.stderr,
      `other commands: DATABASE_URL=${url.toString()} QUEUE_BACKEND=postgres pnpm rollcall <command>`,
    );
    return { env: { ...io.env, DATABASE_URL: url.toString(), QUEUE_BACKEND: 'postgres' }, stop: () => server.stop() };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
