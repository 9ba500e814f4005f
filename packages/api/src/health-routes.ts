import type { FastifyInstance } from 'fastify';
import { sendError } from './error-handling.ts';
import { checkReadiness, type ReadinessDeps } from './readiness.ts';

/**
 * Public probes. `/health` says the process is alive and serving (liveness: restart when it fails);
 * it touches nothing else, so an outage of Redis or PostgreSQL does not get a healthy process
 * restarted. `/ready` says whether it can do its work (readiness: route traffic to it or not).
 */
export function registerHealthRoutes(
  app: FastifyInstance,
  deps: ReadinessDeps & { readonly readinessTimeoutMs?: number },
): void {
  app.get('/health', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    return { status: 'ok', uptimeSeconds: Math.round(process.uptime()) };
  });

  app.get('/ready', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
    const readiness = await checkReadiness(deps, deps.readinessTimeoutMs);
    if (readiness.ready) return { status: 'ready', checks: readiness.checks };
    const failed = readiness.checks.filter((check) => !check.ok);
    return sendError(reply, 503, {
      error: 'not_ready',
      message: `not ready: ${failed.map((check) => `${check.check} (${check.message ?? 'failed'})`).join('; ')}`,
      details: readiness.checks,
    });
  });
}
