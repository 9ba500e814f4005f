import { z } from 'zod';
import { queuePrefixFor, type RedisTopology, redisTopologyOf } from './redis-topology.ts';

/** Scopes a bearer token may carry (operations.md, "HTTP API"). */
// `pre-release`: with read:snapshots, also snapshots under embargo, each fetch logged (release control, operations.md).
export const API_SCOPES = ['read:snapshots', 'read:ops', 'admin', 'pre-release'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/**
 * A configured API token. Only the SHA-256 of the token is configured, so a leaked
 * configuration file does not leak a usable token (`rollcall token create` prints both).
 */
export const ApiTokenEntry = z.strictObject({
  name: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex characters'),
  scopes: z.array(z.enum(API_SCOPES)).min(1),
  /**
   * The forces whose data the token may read (force slugs); absent: every configured force. With
   * one force here, a request that names no force is about that force (operations.md, "Which
   * force a request is about").
   */
  forces: z
    .array(z.string().regex(/^[a-z]+(?:-[a-z]+)*$/, 'must be a force slug'))
    .min(1)
    .optional(),
});
export type ApiTokenEntry = z.infer<typeof ApiTokenEntry>;

const isTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const seconds = (fallback: number) => integer(0, 86_400 * 30).default(fallback);

/** Variables whose values must never appear in an error message or a log line. */
const SECRET_VARIABLES = new Set(['PSEUDONYM_KEY', 'API_TOKENS', 'DATABASE_URL', 'REDIS_URL']);

export const EnvSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .default('postgres://postgres@127.0.0.1:5432/rollcall'),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .default('redis://127.0.0.1:6379'),
  /** Sentinel: `host:port` of each sentinel, comma separated; REDIS_URL is then not used. */
  REDIS_SENTINELS: z.string().optional(),
  /** Sentinel: the primary's name the sentinels monitor (`sentinel monitor <name> ...`). */
  REDIS_SENTINEL_NAME: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, dot, dash, underscore')
    .optional(),
  /** Cluster: `host:port` of some of its nodes, comma separated; REDIS_URL is then not used. */
  REDIS_CLUSTER_NODES: z.string().optional(),
  /**
   * Where the queues live: `redis` (REDIS_URL, Sentinel or Cluster) or `postgres` (the database of
   * DATABASE_URL, in a schema of their own; Redis is then not used at all). operations.md says
   * when to pick which.
   */
  QUEUE_BACKEND: z.enum(['redis', 'postgres']).default('redis'),
  /** Redis key prefix for every queue; lets several pipelines (or test runs) share one Redis. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,40}$/, 'lowercase letters, digits and dashes only (max 41)')
    .default('rollcall'),
  /** Key of the keyed hash applied to person references; at least 32 characters. */
  PSEUDONYM_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
  SNAPSHOT_DIR: z.string().min(1).default('var/snapshots'),
  API_TOKENS: z
    .string()
    .default('[]')
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON array of {name, sha256, scopes}' });
        return z.NEVER;
      }
    })
    .pipe(z.array(ApiTokenEntry)),
  API_HOST: z.string().default('127.0.0.1'),
  API_PORT: integer(0, 65_535).default(8080),
  /** When set, /metrics is also served without a token on this port (for a Prometheus scraper). */
  METRICS_PORT: integer(0, 65_535).optional(),
  TZ_REPORTING: z
    .string()
    .refine(isTimeZone, 'must be an IANA time zone such as Europe/London')
    .default('Europe/London'),
  /** Forces the nightly run publishes for, comma separated slugs. */
  FORCES: z
    .string()
    .default('avon-and-somerset')
    .transform((text) =>
      text
        .split(',')
        .map((slug) => slug.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(/^[a-z-]+$/, 'force slugs are lowercase words joined by dashes')).min(1)),
  /**
   * Cron pattern (Europe/London unless TZ_REPORTING says otherwise) of the nightly run. 03:30 keeps
   * clear of the 01:00-02:00 hour that the clocks skip or repeat.
   */
  NIGHTLY_CRON: z
    .string()
    .regex(/^(\S+\s+){4}\S+$/, 'must be a five-field cron pattern')
    .default('30 3 * * *'),
  NIGHTLY_CATCH_UP_DAYS: integer(1, 366).default(7),
  NIGHTLY_DEADMAN_HOURS: integer(1, 24 * 14).default(26),
  /** Month partitions the nightly run makes ahead of the current month (operations.md, "Partitions"). */
  PARTITION_MONTHS_AHEAD: integer(1, 24).default(3),
  /**
   * Retention by whole months, counting the current one; unset keeps everything. Events: replay is
   * refused once any are dropped. Daily aggregates: at least 25, as a snapshot reads the days of
   * its as-of month and of the same month a year earlier (older months come from monthly sums).
   */
  RETENTION_EVENTS_MONTHS: integer(1, 1200).optional(),
  RETENTION_DAILY_AGGREGATES_MONTHS: integer(25, 1200).optional(),
  /** Published counts from 1 to this value are suppressed ([c]); 0 is never suppressed. */
  SUPPRESS_MAX_COUNT: integer(0, 1000).default(4),
  /**
   * Trend labels of rolling-12-months entries (measures.md), in percent of the value 12 months
   * earlier: a change up to STABLE is `Stable`, up to STRONG `Moderate`, beyond it `Strong`.
   */
  TREND_STABLE_PERCENT: z.coerce.number().min(0).max(1000).default(5),
  TREND_STRONG_PERCENT: z.coerce.number().min(0).max(1000).default(15),
  /**
   * When a missed target reads `nearly met` (amber): `interval-reaches-target` (its 95% confidence
   * interval reaches the target) or `off` (met / not met only). measures.md, "Target status".
   */
  TARGET_NEARLY_MET: z.enum(['interval-reaches-target', 'off']).default('interval-reaches-target'),
  QUEUE_LAG_WARN_SECONDS: seconds(120),
  QUEUE_LAG_CRITICAL_SECONDS: seconds(300),
  QUEUE_BACKLOG_WARN: integer(0, 1e9).default(10_000),
  QUEUE_BACKLOG_CRITICAL: integer(0, 1e9).default(100_000),
  /** Failed jobs (after retries) at or above which a queue is `warn`; any failure warns by default. */
  QUEUE_FAILED_WARN: integer(1, 1e9).default(1),
  QUEUE_FAILED_CRITICAL: integer(1, 1e9).default(100),
  /** Jobs each feed worker processes at once; each job is one database transaction. */
  WORKER_CONCURRENCY: integer(1, 64).default(2),
  /**
   * How long a worker holds a job's lock between renewals, and how often stalled jobs (their
   * worker died) are looked for: a job of a killed worker is picked up again within about twice
   * this. BullMQ's default is 30 s.
   */
  WORKER_LOCK_SECONDS: integer(1, 600).default(30),
  SHUTDOWN_TIMEOUT_SECONDS: integer(1, 600).default(30),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

type Env = z.infer<typeof EnvSchema>;

export interface Config {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** Where Redis is: one server, Sentinel or Cluster (REDIS_URL, REDIS_SENTINELS, REDIS_CLUSTER_NODES). */
  readonly redis: RedisTopology;
  /** QUEUE_BACKEND: Redis, or PostgreSQL through BullMQ's PostgreSQL backend. */
  readonly queueBackend: 'redis' | 'postgres';
  /** The key prefix of every queue: QUEUE_PREFIX, as a hash tag (`{rollcall}`) under Cluster. */
  readonly queuePrefix: string;
  readonly pseudonymKey: string | undefined;
  readonly snapshotDir: string;
  readonly apiTokens: readonly ApiTokenEntry[];
  readonly apiHost: string;
  readonly apiPort: number;
  readonly metricsPort: number | undefined;
  readonly timeZone: string;
  readonly forces: readonly string[];
  readonly nightly: {
    readonly cron: string;
    readonly catchUpDays: number;
    readonly deadManHours: number;
  };
  /** Month partitions: made ahead by the nightly run, and retention (null keeps everything). */
  readonly partitions: {
    readonly monthsAhead: number;
    readonly keepMonths: { readonly events: number | null; readonly daily_aggregates: number | null };
  };
  readonly suppressMaxCount: number;
  /** Thresholds of the trend labels, in percent; stated in every snapshot's rules. */
  readonly trendThresholds: { readonly stablePercent: number; readonly strongPercent: number };
  /** TARGET_NEARLY_MET; stated in every snapshot's rules. */
  readonly nearlyMet: 'interval-reaches-target' | 'off';
  readonly queueThresholds: QueueThresholds;
  readonly workerConcurrency: number;
  readonly workerLockSeconds: number;
  readonly shutdownTimeoutSeconds: number;
  readonly logLevel: Env['LOG_LEVEL'];
}

export interface QueueThresholds {
  readonly lagWarnSeconds: number;
  readonly lagCriticalSeconds: number;
  readonly backlogWarn: number;
  readonly backlogCritical: number;
  readonly failedWarn: number;
  readonly failedCritical: number;
}

/** Thrown when the environment is invalid; the message lists every bad variable, one per line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`);
  }
}

const describeValue = (variable: string, env: Record<string, string | undefined>): string => {
  if (SECRET_VARIABLES.has(variable)) return '';
  const value = env[variable];
  return value === undefined ? '' : ` (got ${JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value)})`;
};

/** Reads and validates the configuration. Empty strings count as unset. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(
    Object.keys(EnvSchema.shape).flatMap((key) => {
      const value = env[key];
      return value === undefined || value === '' ? [] : [[key, value]];
    }),
  );
  const parsed = EnvSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const variable = String(issue.path[0] ?? 'environment');
      const detail = issue.path.length > 1 ? ` at ${issue.path.slice(1).join('.')}` : '';
      return `${variable}${detail}: ${issue.message}${describeValue(variable, present)}`;
    });
    throw new ConfigError(problems);
  }
  const e = parsed.data;
  const problems: string[] = [];
  if (e.QUEUE_LAG_CRITICAL_SECONDS < e.QUEUE_LAG_WARN_SECONDS) {
    problems.push('QUEUE_LAG_CRITICAL_SECONDS: must not be below QUEUE_LAG_WARN_SECONDS');
  }
  if (e.QUEUE_BACKLOG_CRITICAL < e.QUEUE_BACKLOG_WARN) {
    problems.push('QUEUE_BACKLOG_CRITICAL: must not be below QUEUE_BACKLOG_WARN');
  }
  if (e.QUEUE_FAILED_CRITICAL < e.QUEUE_FAILED_WARN) {
    problems.push('QUEUE_FAILED_CRITICAL: must not be below QUEUE_FAILED_WARN');
  }
  if (e.TREND_STRONG_PERCENT <= e.TREND_STABLE_PERCENT) {
    problems.push('TREND_STRONG_PERCENT: must be above TREND_STABLE_PERCENT');
  }
  const topology = redisTopologyOf({
    url: e.REDIS_URL,
    sentinels: e.REDIS_SENTINELS,
    sentinelName: e.REDIS_SENTINEL_NAME,
    clusterNodes: e.REDIS_CLUSTER_NODES,
  });
  if ('problems' in topology) problems.push(...topology.problems);
  if (problems.length > 0 || 'problems' in topology) throw new ConfigError(problems);
  return {
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    redis: topology.topology,
    queueBackend: e.QUEUE_BACKEND,
    queuePrefix: queuePrefixFor(topology.topology, e.QUEUE_PREFIX),
    pseudonymKey: e.PSEUDONYM_KEY,
    snapshotDir: e.SNAPSHOT_DIR,
    apiTokens: e.API_TOKENS,
    apiHost: e.API_HOST,
    apiPort: e.API_PORT,
    metricsPort: e.METRICS_PORT,
    timeZone: e.TZ_REPORTING,
    forces: e.FORCES,
    nightly: {
      cron: e.NIGHTLY_CRON,
      catchUpDays: e.NIGHTLY_CATCH_UP_DAYS,
      deadManHours: e.NIGHTLY_DEADMAN_HOURS,
    },
    partitions: {
      monthsAhead: e.PARTITION_MONTHS_AHEAD,
      keepMonths: {
        events: e.RETENTION_EVENTS_MONTHS ?? null,
        daily_aggregates: e.RETENTION_DAILY_AGGREGATES_MONTHS ?? null,
      },
    },
    suppressMaxCount: e.SUPPRESS_MAX_COUNT,
    trendThresholds: { stablePercent: e.TREND_STABLE_PERCENT, strongPercent: e.TREND_STRONG_PERCENT },
    nearlyMet: e.TARGET_NEARLY_MET,
    queueThresholds: {
      lagWarnSeconds: e.QUEUE_LAG_WARN_SECONDS,
      lagCriticalSeconds: e.QUEUE_LAG_CRITICAL_SECONDS,
      backlogWarn: e.QUEUE_BACKLOG_WARN,
      backlogCritical: e.QUEUE_BACKLOG_CRITICAL,
      failedWarn: e.QUEUE_FAILED_WARN,
      failedCritical: e.QUEUE_FAILED_CRITICAL,
    },
    workerConcurrency: e.WORKER_CONCURRENCY,
    workerLockSeconds: e.WORKER_LOCK_SECONDS,
    shutdownTimeoutSeconds: e.SHUTDOWN_TIMEOUT_SECONDS,
    logLevel: e.LOG_LEVEL,
  };
}

/** The pseudonym key, or a ConfigError saying how to set one. */
export function requirePseudonymKey(config: Config): string {
  if (config.pseudonymKey === undefined) {
    throw new ConfigError([
      'PSEUDONYM_KEY: required to store events (person references are hashed with it); set 32 or more random characters, e.g. `openssl rand -hex 32`',
    ]);
  }
  return config.pseudonymKey;
}
