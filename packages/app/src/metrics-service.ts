import { buildMetricsServer } from '@rollcall/http-api/metrics-server';
import type { GracefulShutdown } from '@rollcall/runtime';
import type { AppContext } from './app-context.ts';

/**
 * Serves /metrics without a token on METRICS_PORT, for a Prometheus scraper inside the network.
 * A module of its own that imports only the metrics server: a worker or scheduler with
 * METRICS_PORT set loads fastify for /metrics, not the API's routes or bull-board.
 */
export async function startMetricsServer(context: AppContext, shutdown: GracefulShutdown): Promise<void> {
  const port = context.config.metricsPort;
  if (port === undefined) return;
  const server = buildMetricsServer(context.metrics().registry, { log: context.log.child({ component: 'metrics' }) });
  await server.listen({ host: context.config.apiHost, port });
  shutdown.add({ name: 'metrics server', run: () => server.close() });
  context.log.info({ host: context.config.apiHost, port }, 'metrics server listening');
}
