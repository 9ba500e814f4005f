import {
  type ConnectionRole,
  createRedisConnection,
  PostgresQueueStore,
  type QueueBackendKind,
  type QueueConnection,
  queueSchemaFor,
} from '../src/index.ts';
import type { TestRedis } from './test-redis.ts';

/** Both queue backends, for `describe.each`: every queue-dependent end-to-end test runs on each. */
export const QUEUE_BACKENDS: readonly QueueBackendKind[] = ['redis', 'postgres'];

/** The backend a test runs on when it does not say: ROLLCALL_TEST_QUEUE_BACKEND, else Redis. */
export function testQueueBackend(): QueueBackendKind {
  return process.env.ROLLCALL_TEST_QUEUE_BACKEND === 'postgres' ? 'postgres' : 'redis';
}

/**
 * A connection to a test file's queues on `backend`: Redis under the file's prefix, or PostgreSQL
 * in the file's own database, in the schema named after the same prefix (dropped with it).
 */
export function testQueueConnection(
  backend: QueueBackendKind,
  redis: TestRedis,
  databaseUrl: string,
  role: ConnectionRole,
): QueueConnection {
  return backend === 'postgres'
    ? new PostgresQueueStore(databaseUrl, queueSchemaFor(redis.prefix))
    : createRedisConnection(redis.url, { role });
}
