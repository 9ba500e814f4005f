import { Redis } from 'ioredis';
import pg from 'pg';

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/rollcall';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export interface BackingServices {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** Where each came from, for the log line that says so. */
  readonly source: { readonly database: ServiceSource; readonly redis: ServiceSource };
  /** Stops containers started for this process (a no-op for external services). */
  stop(): Promise<void>;
}

export type ServiceSource = 'environment' | 'local default' | 'testcontainers';

/** Thrown when PostgreSQL or Redis cannot be reached; the message says what to do. */
export class BackingServiceUnavailableError extends Error {
  override readonly name = 'BackingServiceUnavailableError';
}

const hostOf = (url: string): string => {
  const parsed = new URL(url);
  return `${parsed.hostname}:${parsed.port || (parsed.protocol.startsWith('redis') ? '6379' : '5432')}`;
};

/** Connects to the server of `databaseUrl` (its `postgres` database: the named one may not exist yet). */
export async function probePostgres(databaseUrl: string, timeoutMs = 3_000): Promise<string | undefined> {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString(), connectionTimeoutMillis: timeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
    // eslint-disable-next-line rollcall/sql-only-in-db -- a reachability probe, before any schema exists
    await client.query('select 1');
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message || error.name : String(error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function probeRedis(redisUrl: string, timeoutMs = 3_000): Promise<string | undefined> {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  // The connection's own error (connect ECONNREFUSED ...) says more than the rejection that
  // follows it ("Connection is closed.").
  let connectionError: string | undefined;
  redis.on('error', (error: Error) => {
    connectionError ??= error.message || error.name;
  });
  try {
    await redis.connect();
    await redis.ping();
    return undefined;
  } catch (error) {
    return connectionError ?? (error instanceof Error ? error.message || error.name : String(error));
  } finally {
    redis.disconnect();
  }
}

async function dockerAvailable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

export interface ResolveBackingServicesOptions {
  readonly env?: Record<string, string | undefined>;
  /** Start PostgreSQL/Redis containers when the local defaults are unreachable and Docker runs. */
  readonly allowContainers: boolean;
  readonly onProgress?: (message: string) => void;
}

/**
 * Finds PostgreSQL and Redis: `DATABASE_URL` / `REDIS_URL` when set (and then they must answer),
 * otherwise the local defaults, otherwise containers through testcontainers when Docker is there.
 * Fails with a message that names the service, the address and the ways to provide it.
 */
export async function resolveBackingServices(options: ResolveBackingServicesOptions): Promise<BackingServices> {
  const env = options.env ?? process.env;
  const explicitDatabase = env.DATABASE_URL ? env.DATABASE_URL : undefined;
  const explicitRedis = env.REDIS_URL ? env.REDIS_URL : undefined;
  let databaseUrl = explicitDatabase ?? DEFAULT_DATABASE_URL;
  let redisUrl = explicitRedis ?? DEFAULT_REDIS_URL;
  const [databaseProblem, redisProblem] = await Promise.all([probePostgres(databaseUrl), probeRedis(redisUrl)]);
  const source: { database: ServiceSource; redis: ServiceSource } = {
    database: explicitDatabase ? 'environment' : 'local default',
    redis: explicitRedis ? 'environment' : 'local default',
  };
  const stops: (() => Promise<unknown>)[] = [];

  const explain = (service: 'PostgreSQL' | 'Redis', url: string, problem: string, explicit: boolean): string =>
    [
      `${service} is not reachable at ${hostOf(url)} (${problem}).`,
      explicit
        ? `${service === 'PostgreSQL' ? 'DATABASE_URL' : 'REDIS_URL'} is set: check the address and that the server is running.`
        : [
            `Either start ${service === 'PostgreSQL' ? 'PostgreSQL 15' : 'Redis 7'} locally`,
            service === 'PostgreSQL'
              ? '(`pg_ctlcluster --skip-systemctl-redirect 15 main start`),'
              : '(`redis-server --daemonize yes --port 6379`),',
            `set ${service === 'PostgreSQL' ? 'DATABASE_URL' : 'REDIS_URL'},`,
            'or run Docker so that one is started for you (`docker compose -f infra/compose.yaml up -d`).',
          ].join(' '),
    ].join(' ');

  const needDatabase = databaseProblem !== undefined;
  const needRedis = redisProblem !== undefined;
  if (needDatabase || needRedis) {
    const explicitFailure = (needDatabase && explicitDatabase) || (needRedis && explicitRedis);
    const canUseContainers = options.allowContainers && !explicitFailure && (await dockerAvailable());
    if (!canUseContainers) {
      const problems = [
        needDatabase ? explain('PostgreSQL', databaseUrl, databaseProblem, explicitDatabase !== undefined) : undefined,
        needRedis ? explain('Redis', redisUrl, redisProblem, explicitRedis !== undefined) : undefined,
      ].filter((text): text is string => text !== undefined);
      throw new BackingServiceUnavailableError(problems.join('\n'));
    }
    if (needDatabase) {
      options.onProgress?.('PostgreSQL not reachable locally; starting a postgres:15 container (Docker)');
      const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
      const container = await new PostgreSqlContainer('postgres:15-alpine').withDatabase('rollcall').start();
      databaseUrl = container.getConnectionUri();
      source.database = 'testcontainers';
      stops.push(() => container.stop());
    }
    if (needRedis) {
      options.onProgress?.('Redis not reachable locally; starting a redis:7 container (Docker)');
      const { RedisContainer } = await import('@testcontainers/redis');
      const container = await new RedisContainer('redis:7-alpine')
        .withCommand(['redis-server', '--maxmemory-policy', 'noeviction'])
        .start();
      redisUrl = container.getConnectionUrl();
      source.redis = 'testcontainers';
      stops.push(() => container.stop());
    }
  }
  return {
    databaseUrl,
    redisUrl,
    source,
    stop: async () => {
      await Promise.allSettled(stops.map((stop) => stop()));
    },
  };
}
