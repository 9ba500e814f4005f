import {
  BackingServiceUnavailableError,
  type BackingServices,
  probePostgres,
  resolveBackingServices,
  type ResolveBackingServicesOptions,
} from './backing-services.ts';
import { EMBEDDED_POSTGRES_DIR, startEmbeddedPostgres } from './embedded-postgres.ts';

/** What a process found or started, with where its queues go (QUEUE_BACKEND). */
export interface NodeOnlyServices {
  readonly databaseUrl: string;
  /** Set when the queues are in Redis. */
  readonly redisUrl: string | undefined;
  readonly queueBackend: 'redis' | 'postgres';
  /** One line saying what was started and why, when anything other than the servers asked for is used. */
  readonly notice: string | undefined;
  readonly embedded: boolean;
  /** Where each came from, for the line that says so (`PostgreSQL: embedded; queues: PostgreSQL`). */
  readonly sources: string;
  stop(): Promise<void>;
}

export interface ResolveNodeOnlyOptions extends ResolveBackingServicesOptions {
  /** `force`: embedded PostgreSQL whatever else runs (`--embedded`); `fallback`: when nothing else can be had. */
  readonly embedded: 'force' | 'fallback';
  /** Where the embedded cluster keeps its data (default var/embedded-postgres). */
  readonly embeddedDir?: string;
}

/** The first sentence of a BackingServiceUnavailableError: which service, where, and its error. */
const firstSentence = (text: string): string => text.split(/\.(?:\s|$)/)[0] ?? text;

/**
 * PostgreSQL and the queues for the demo and a single-host deployment, with Node alone if need be:
 * 1. the servers configured, found locally or started with Docker (`resolveBackingServices`), the
 *    queues in Redis unless QUEUE_BACKEND=postgres;
 * 2. otherwise, a PostgreSQL that answers with the queues in it (Redis is then not needed);
 * 3. otherwise, an embedded PostgreSQL under var/embedded-postgres, the queues in it.
 * `notice` says in one line which of 2 or 3 happened and why.
 */
export async function resolveNodeOnlyServices(options: ResolveNodeOnlyOptions): Promise<NodeOnlyServices> {
  const env = options.env ?? process.env;
  if (options.embedded === 'force') return startEmbedded(options, 'because --embedded was given');

  if (env.QUEUE_BACKEND === 'postgres') {
    const databaseUrl = env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/rollcall';
    const problem = await probePostgres(databaseUrl);
    if (problem === undefined)
      return {
        databaseUrl,
        redisUrl: undefined,
        queueBackend: 'postgres',
        notice: undefined,
        embedded: false,
        sources: `PostgreSQL: ${env.DATABASE_URL ? 'environment' : 'local default'}; queues: PostgreSQL`,
        stop: async () => undefined,
      };
    return startEmbedded(options, `because PostgreSQL is not reachable (${problem})`);
  }

  let services: BackingServices;
  try {
    services = await resolveBackingServices(options);
  } catch (error) {
    if (!(error instanceof BackingServiceUnavailableError)) throw error;
    const databaseUrl = env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/rollcall';
    if ((await probePostgres(databaseUrl)) === undefined) {
      return {
        databaseUrl,
        redisUrl: undefined,
        queueBackend: 'postgres',
        notice: `Queues on PostgreSQL (QUEUE_BACKEND=postgres), because ${firstSentence(error.message)} and no container could be started for it.`,
        embedded: false,
        sources: `PostgreSQL: ${env.DATABASE_URL ? 'environment' : 'local default'}; queues: PostgreSQL`,
        stop: async () => undefined,
      };
    }
    return startEmbedded(options, `because ${firstSentence(error.message)} and no container could be started`);
  }
  return {
    databaseUrl: services.databaseUrl,
    redisUrl: services.redisUrl,
    queueBackend: 'redis',
    notice: undefined,
    embedded: false,
    sources: `PostgreSQL: ${services.source.database}; Redis: ${services.source.redis}`,
    stop: () => services.stop(),
  };
}

async function startEmbedded(options: ResolveNodeOnlyOptions, why: string): Promise<NodeOnlyServices> {
  const dir = options.embeddedDir ?? EMBEDDED_POSTGRES_DIR;
  const server = await startEmbeddedPostgres({ dir });
  const url = new URL(server.url);
  url.pathname = '/rollcall';
  return {
    databaseUrl: url.toString(),
    redisUrl: undefined,
    queueBackend: 'postgres',
    notice:
      `Started embedded PostgreSQL 17 (${dir}, ${server.created ? 'new' : 'kept from the last run'}, 127.0.0.1:${server.port}, ` +
      `${(server.startedMs / 1000).toFixed(1)} s) with the queues in it (QUEUE_BACKEND=postgres), ${why}; it stops when this ends.`,
    embedded: true,
    sources: 'PostgreSQL: embedded; queues: PostgreSQL',
    stop: () => server.stop(),
  };
}
