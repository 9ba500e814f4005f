import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import type { Registry } from 'prom-client';
import { ApiError } from './api-error.ts';
import { withTimeout } from './with-timeout.ts';

/**
 * Milliseconds a scrape may take. The registry reads Redis and PostgreSQL on each scrape, and a
 * BullMQ queue waits for its connection rather than failing, so with Redis down a scrape would
 * never end. 5 s is half Prometheus' default scrape_timeout (10 s): the scraper gets an answer
 * (a 503, so `up` drops to 0) instead of timing out itself.
 */
export const METRICS_SCRAPE_TIMEOUT_MS = 5_000;

export interface MetricsRouteOptions {
  /** The scope check on the API port; absent on the separate metrics port. */
  readonly guard?: onRequestAsyncHookHandler;
  readonly timeoutMs?: number;
}

/**
 * `GET /metrics` in the Prometheus text format (operations.md: the `rollcall_` metrics, plus the
 * Node process and event-loop metrics the registry collects).
 */
export function registerMetricsRoute(
  app: FastifyInstance,
  registry: Registry,
  options: MetricsRouteOptions = {},
): void {
  const timeoutMs = options.timeoutMs ?? METRICS_SCRAPE_TIMEOUT_MS;
  app.get('/metrics', { ...(options.guard && { onRequest: options.guard }) }, async (request, reply) => {
    const text = await withTimeout(registry.metrics(), timeoutMs).catch((err: unknown) => {
      request.log.warn({ err }, 'metrics could not be collected');
      throw new ApiError(
        503,
        'unavailable',
        `metrics could not be collected within ${timeoutMs} ms: Redis or PostgreSQL is not answering (see /ready)`,
      );
    });
    return reply.header('cache-control', 'no-store').type(registry.contentType).send(text);
  });
}
