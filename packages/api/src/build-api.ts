import fastifyCompress, { type FastifyCompressOptions } from '@fastify/compress';
import fastifyCookie from '@fastify/cookie';
import type { ApiScope, Config } from '@rollcall/config';
import type { Db } from '@rollcall/db';
import type { Logger } from '@rollcall/logger';
import { createMetricsRegistry, type MetricsRegistry, stalledRecorderFor } from '@rollcall/ops';
import { ALL_QUEUE_NAMES, type QueueConnection, type QueueFactory } from '@rollcall/queue';
import { codeVersion } from '@rollcall/runtime';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { constants as zlibConstants } from 'node:zlib';
import { registerAdminQueues } from './admin-queues.ts';
import { createTokenVerifier, requireScope } from './auth.ts';
import { registerCatalogueRoutes } from './catalogue-routes.ts';
import { registerDashboardRoutes } from './dashboard-routes.ts';
import { handleFrameworkError, installErrorHandling } from './error-handling.ts';
import { registerExplainRoutes } from './explain-routes.ts';
import { registerExtractRoutes } from './extract-routes.ts';
import { createForceScope } from './force-scope.ts';
import { registerHealthRoutes } from './health-routes.ts';
import { registerHttpMetrics } from './http-metrics.ts';
import { registerLoginRoutes } from './login-routes.ts';
import { registerMetricsRoute } from './metrics-route.ts';
import { registerOpenApi } from './openapi.ts';
import { takeQueryApiKey } from './query-api-key.ts';
import { registerQueueRoutes } from './queue-routes.ts';
import { DEFAULT_RATE_LIMITS, type RateLimits, registerRateLimits } from './rate-limits.ts';
import { registerSeriesRoutes } from './series-routes.ts';
import { registerSnapshotRoutes } from './snapshot-routes.ts';

export interface ApiDeps {
  readonly db: Db;
  readonly queues: QueueFactory;
  /** The producer connection (fails fast): PING for /ready, stalled counts for /v1/queues. */
  /** Where the queues are: Redis, or the PostgreSQL queue store (QUEUE_BACKEND). */
  readonly queueConnection: QueueConnection;
  readonly config: Config;
  /** Request logs go here; the logger redacts `authorization` and `cookie` headers. */
  readonly log: Logger;
  /**
   * The registry /metrics exposes; pass the one given to `buildMetricsServer` so both ports show
   * the same. Default: a new one over every queue (with Node process and event-loop metrics).
   */
  readonly metrics?: MetricsRegistry;
  /** Per-check limit of /ready, in milliseconds; default READINESS_TIMEOUT_MS (2,000). */
  readonly readinessTimeoutMs?: number;
  /** Limit of one /metrics scrape, in milliseconds; default METRICS_SCRAPE_TIMEOUT_MS (5,000). */
  readonly metricsTimeoutMs?: number;
  /**
   * Fastify's `trustProxy`: which peers' `X-Forwarded-Proto`/`-For`/`-Host` to believe. Default
   * none, so a client cannot claim HTTPS. Behind a reverse proxy that terminates TLS, name the
   * proxy (`'10.0.0.5'`, a CIDR, or a hop count): the request is then `https`, and the login
   * cookie gets `Secure`. `true` trusts every peer; use it only where nothing else can connect.
   */
  readonly trustProxy?: FastifyServerOptions['trustProxy'];
  /** Requests a minute per client address; default DEFAULT_RATE_LIMITS (login 20, the rest 600). */
  readonly rateLimits?: RateLimits;
  /** The clock release control judges embargoes by (default the system clock); tests inject one. */
  readonly now?: () => Date;
}

/** Login form posts are a token and a path; anything bigger is not one. */
const FORM_BODY_LIMIT_BYTES = 4_096;

/**
 * Compression (gzip or brotli, as the client's Accept-Encoding prefers) of bodies from 1 kB: a
 * snapshot (about 1 MB of JSON) and a year's extract shrink about tenfold. Brotli at quality 4,
 * not its default 11, which takes seconds on a large extract for a few per cent more.
 */
const COMPRESSION: FastifyCompressOptions = {
  threshold: 1_024,
  encodings: ['br', 'gzip'],
  brotliOptions: { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 4 } },
  globalDecompression: false,
};

/**
 * The HTTP read API of operations.md, not yet listening (the service calls `listen`). Routes and
 * their scopes:
 *
 * | route | scope |
 * | --- | --- |
 * | GET /health, GET /ready, GET /login, POST /login, POST /logout | public |
 * | GET /openapi.json, GET /docs, GET /dashboard/assets/:name | public |
 * | GET /metrics | read:ops (public on METRICS_PORT, see `buildMetricsServer`) |
 * | GET /, /measures/:measureId, /live, /report, /dashboard/data/* (one request per view) | read:snapshots |
 * | GET /v1/snapshots/latest, /v1/snapshots/:snapshotId, /v1/snapshots/:snapshotId/explain | read:snapshots |
 * | GET /v1/snapshots, /v1/measures/:measureId/series | read:snapshots |
 * | GET /v1/measures, /v1/forces, /v1/extract | read:snapshots |
 * | GET /v1/queues | read:ops |
 * | /admin/queues (bull-board: page, API, assets) | admin |
 *
 * Scopes do not imply one another, `admin` included (see auth.ts). A token is read from the
 * `Authorization: Bearer` header, the `X-API-Key` header, the `api_key` query parameter (read
 * scopes only) or the HttpOnly `rollcall_token` cookie `POST /login` sets;
 * a browser opening `/` or `/admin/queues` without a valid login is redirected to /login.
 *
 * The caller owns `db`, `queues` and `queueConnection` and closes them after `app.close()`.
 */
export function buildApi(deps: ApiDeps): FastifyInstance {
  const app = Fastify({
    // Fastify types a pino instance as its narrower base logger; the instance is the same.
    loggerInstance: deps.log as FastifyBaseLogger,
    frameworkErrors: handleFrameworkError,
    routerOptions: { ignoreTrailingSlash: true },
    ...(deps.trustProxy !== undefined && { trustProxy: deps.trustProxy }),
    // `?api_key=` leaves the URL before routing and logging (query-api-key.ts).
    rewriteUrl: (raw) => takeQueryApiKey(raw),
  });

  app.decorateRequest('principal', null);
  void app.register(fastifyCookie);
  void app.register(fastifyCompress, COMPRESSION);
  registerOpenApi(app, codeVersion());
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_BODY_LIMIT_BYTES },
    (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(String(body))));
    },
  );
  app.addHook('onSend', async (_request, reply) => {
    reply.header('x-content-type-options', 'nosniff');
  });
  installErrorHandling(app);
  registerRateLimits(app, deps.rateLimits ?? DEFAULT_RATE_LIMITS);

  const verifier = createTokenVerifier(deps.config.apiTokens);
  const guard = (scope: ApiScope) => requireScope(verifier, scope);
  const pageGuard = (scope: ApiScope) => requireScope(verifier, scope, { loginRedirect: true });
  const queues = ALL_QUEUE_NAMES.map((name) => deps.queues.queue(name));
  const metrics =
    deps.metrics ??
    createMetricsRegistry({
      queues,
      db: deps.db,
      log: deps.log,
      stalled: stalledRecorderFor(deps.queueConnection, deps.db, deps.queues.prefix),
    });
  registerHttpMetrics(app, metrics.registry);
  const forces = createForceScope(deps.db, deps.config);

  // Declared once the rate limiter has loaded and added its hook, as the other plugins' hooks are.
  app.after(() => {
    registerHealthRoutes(app, {
      db: deps.db,
      queueConnection: deps.queueConnection,
      log: deps.log,
      ...(deps.readinessTimeoutMs !== undefined && { readinessTimeoutMs: deps.readinessTimeoutMs }),
    });
    registerMetricsRoute(app, metrics.registry, {
      guard: guard('read:ops'),
      ...(deps.metricsTimeoutMs !== undefined && { timeoutMs: deps.metricsTimeoutMs }),
    });
    registerLoginRoutes(app, verifier);
    registerDashboardRoutes(app, {
      db: deps.db,
      config: deps.config,
      guard: guard('read:snapshots'),
      pageGuard: pageGuard('read:snapshots'),
    });
    const clock = deps.now ? { now: deps.now } : {};
    registerSnapshotRoutes(app, { db: deps.db, forces, guard: guard('read:snapshots'), ...clock });
    registerSeriesRoutes(app, { db: deps.db, forces, guard: guard('read:snapshots'), ...clock });
    registerExplainRoutes(app, { db: deps.db, forces, guard: guard('read:snapshots'), ...clock });
    registerCatalogueRoutes(app, { db: deps.db, config: deps.config, guard: guard('read:snapshots') });
    registerExtractRoutes(app, { db: deps.db, forces, guard: guard('read:snapshots') });
    registerQueueRoutes(app, {
      db: deps.db,
      queueConnection: deps.queueConnection,
      queues,
      prefix: deps.queues.prefix,
      config: deps.config,
      guard: guard('read:ops'),
    });
    registerAdminQueues(app, queues, pageGuard('admin'));
  });
  return app;
}
