import type { Config } from '@rollcall/config';
import type { Db } from '@rollcall/db';
import { collectStatusReport, redisMarkerFor, stalledRecorderFor } from '@rollcall/ops';
import { type QueueConnection, SNAPSHOTS_PUBLISHED_QUEUE } from '@rollcall/queue';
import type { Queue } from 'bullmq';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import { ApiError } from './api-error.ts';
import { parseRequest } from './request-schemas.ts';
import { withTimeout } from './with-timeout.ts';

export interface QueueRoutesDeps {
  readonly db: Db;
  readonly queueConnection: QueueConnection;
  readonly queues: readonly Queue[];
  readonly prefix: string;
  readonly config: Pick<Config, 'queueThresholds' | 'nightly'>;
  readonly guard: onRequestAsyncHookHandler;
  /** Milliseconds to wait for the report; default STATUS_REPORT_TIMEOUT_MS. */
  readonly timeoutMs?: number;
}

/**
 * The report reads a few keys per queue and samples recent jobs: well under a second on a
 * healthy Redis. Five seconds is ample, and short enough that a dashboard polling a stuck Redis
 * gets a 503 rather than a hung request.
 */
export const STATUS_REPORT_TIMEOUT_MS = 5_000;

const NoQuery = z.strictObject({});

/**
 * `GET /v1/queues`: the status report of `rollcall status --format json`, for every queue, with
 * the nightly dead-man check. `snapshots.published` is consumed outside this system, so it has
 * no workers of ours and its lag is the downstream consumer's (ops, `externalConsumers`).
 */
export function registerQueueRoutes(app: FastifyInstance, deps: QueueRoutesDeps): void {
  const stalled = stalledRecorderFor(deps.queueConnection, deps.db, deps.prefix);
  app.get('/v1/queues', { onRequest: deps.guard }, async (request, reply) => {
    parseRequest(NoQuery, request.query, 'query');
    const collecting = collectStatusReport({
      queues: deps.queues,
      db: deps.db,
      thresholds: deps.config.queueThresholds,
      deadManHours: deps.config.nightly.deadManHours,
      stalled,
      externalConsumers: [SNAPSHOTS_PUBLISHED_QUEUE],
      ...redisMarkerFor(deps.queueConnection, deps.prefix),
    });
    const report = await withTimeout(collecting, deps.timeoutMs ?? STATUS_REPORT_TIMEOUT_MS).catch((err: unknown) => {
      request.log.warn({ err }, 'could not collect queue health');
      throw new ApiError(
        503,
        'unavailable',
        'queue health could not be read: Redis or PostgreSQL is not answering (see /ready)',
      );
    });
    return reply.header('cache-control', 'no-store').send(report);
  });
}
