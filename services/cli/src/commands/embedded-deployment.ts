import { startEmbeddedPostgres } from '@rollcall/backing-services';
import { type CommandIo, writeLine } from '../command-line.ts';
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
  const server = await startEmbeddedPostgres();
  try {
    const url = new URL(server.url);
    url.pathname = '/rollcall';
    const migration = await migrateDatabase(url.toString());
    writeLine(
      io.stderr,
      `Started embedded PostgreSQL 17 (var/embedded-postgres, ${server.created ? 'new' : 'kept from the last run'}, 127.0.0.1:${server.port}, ${(server.startedMs / 1000).toFixed(1)} s; ${migration.applied.length} migration(s) applied) with the queues in it (QUEUE_BACKEND=postgres), because --embedded was given; it stops when the services do.`,
    );
    return { env: { ...io.env, DATABASE_URL: url.toString(), QUEUE_BACKEND: 'postgres' }, stop: () => server.stop() };
  } catch (error) {
    await server.stop();
    throw error;
  }
}
