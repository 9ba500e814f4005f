import type { FastifyInstance } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';

/**
 * HTTP request count and latency on `/metrics` (operations.md, "Metrics"), labelled by the route
 * template (`/v1/measures/:measureId/series`), never the raw URL: one series per route, whatever
 * ids and query strings clients send. A request no route matched is `route="unmatched"`.
 */

export const HTTP_REQUESTS_TOTAL = 'rollcall_http_requests_total';
export const HTTP_REQUEST_DURATION = 'rollcall_http_request_duration_seconds';

type HttpLabels = 'method' | 'route' | 'status_code';

/**
 * Buckets from 5 ms (a cached snapshot, a 304) to 30 s (a year's extract of every force): the
 * extract is the one slow route, and a bucket past its usual seconds shows when it grows.
 */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The same metric objects for every app over one registry (the API and metrics ports share one). */
function metricsOf(registry: Registry): { requests: Counter<HttpLabels>; duration: Histogram<HttpLabels> } {
  const requests =
    (registry.getSingleMetric(HTTP_REQUESTS_TOTAL) as Counter<HttpLabels> | undefined) ??
    new Counter({
      name: HTTP_REQUESTS_TOTAL,
      help: 'HTTP requests answered, by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'],
      registers: [registry],
    });
  const duration =
    (registry.getSingleMetric(HTTP_REQUEST_DURATION) as Histogram<HttpLabels> | undefined) ??
    new Histogram({
      name: HTTP_REQUEST_DURATION,
      help: 'Time from receiving an HTTP request to sending the response, in seconds, by method, route template and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: DURATION_BUCKETS,
      registers: [registry],
    });
  return { requests, duration };
}

export function registerHttpMetrics(app: FastifyInstance, registry: Registry): void {
  const { requests, duration } = metricsOf(registry);
  app.addHook('onResponse', async (request, reply) => {
    const labels = {
      method: request.method,
      route: request.routeOptions.url ?? 'unmatched',
      status_code: String(reply.statusCode),
    };
    requests.inc(labels);
    duration.observe(labels, reply.elapsedTime / 1_000);
  });
}
