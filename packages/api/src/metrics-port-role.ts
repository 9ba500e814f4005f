import type { ServiceRole } from '@rollcall/runtime';
import { buildMetricsServer } from './metrics-server.ts';

/**
 * Serves /metrics without a token on METRICS_PORT, for a Prometheus scraper inside the network;
 * does nothing when METRICS_PORT is unset. A module of its own that imports only the metrics
 * server: a worker or scheduler with METRICS_PORT set loads fastify for /metrics, not the API's
 * routes or bull-board.
 */
export const metricsPortRole: ServiceRole = {
  name: 'metrics',
  async start(context, shutdown) {
    const port = context.config.metricsPort;
    if (port === undefined) return;
    const server = buildMetricsServer(context.metrics().registry, { log: context.log.child({ component: 'metrics' }) });
    await server.listen({ host: context.config.apiHost, port });
    shutdown.add({ name: 'metrics server', run: () => server.close() });
    context.log.info({ host: context.config.apiHost, port }, 'metrics server listening');
  },
};
