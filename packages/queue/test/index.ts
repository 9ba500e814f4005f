// Test kit of @rollcall/queue (`@rollcall/queue/testing`): a queue prefix of a test file's own, a closed port,
// the queue backends to run a test on and an empty database for queues on PostgreSQL.
import './test-run-context.ts';

export * from './closed-port.ts';
export * from './test-queue-backend.ts';
export * from './test-queue-database.ts';
export * from './test-redis.ts';
