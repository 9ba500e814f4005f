import { buildApi } from '@rollcall/api';
import type { ServiceRole } from '@rollcall/runtime';

/**
 * Serves the HTTP API (snapshots, series, queue health, metrics for `read:ops`, bull-board, the
 * dashboard) on API_HOST:API_PORT. Shutdown stops accepting connections and lets requests in
 * flight finish.
 */
export const apiRole: ServiceRole = {
  name: 'api',
  async start(context, shutdown) {
    const app = buildApi({
      db: context.db,
      queues: context.queues,
      queueConnection: context.producer,
      config: context.config,
      log: context.log.child({ component: 'api' }),
      metrics: context.metrics(),
    });
    await app.listen({ host: context.config.apiHost, port: context.config.apiPort });
    shutdown.add({ name: 'http api', run: () => app.close() });
    context.log.info(
      { host: context.config.apiHost, port: context.config.apiPort, tokens: context.config.apiTokens.length },
      'http api listening',
    );
  },
};
