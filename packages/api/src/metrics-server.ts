import type { Logger } from '@rollcall/logger';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Registry } from 'prom-client';
import { handleFrameworkError, installErrorHandling } from './error-handling.ts';
import { registerMetricsRoute } from './metrics-route.ts';

export interface MetricsServerOptions {
  /** Where failed scrapes are logged. Requests are not logged: a scraper calls every few seconds. */
  readonly log?: Logger;
  /** Milliseconds a scrape may take; default METRICS_SCRAPE_TIMEOUT_MS (5,000). */
  readonly timeoutMs?: number;
}

/**
 * The server for METRICS_PORT: `/metrics` without a token, for a Prometheus scraper on a network
 * that only operators reach, and nothing else (every other path is a JSON 404). Not listening; the
 * service calls `listen`.
 */
export function buildMetricsServer(registry: Registry, options: MetricsServerOptions = {}): FastifyInstance {
  const app = Fastify({
    ...(options.log && { loggerInstance: options.log as FastifyBaseLogger }),
    logController: new LogController({ disableRequestLogging: true }),
    frameworkErrors: handleFrameworkError,
  });
  installErrorHandling(app);
  registerMetricsRoute(app, registry, { ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }) });
  return app;
}
