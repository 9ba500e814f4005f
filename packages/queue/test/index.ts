// Test kit of @rollcall/queue (`@rollcall/queue/testing`): a queue prefix of a test file's own, a closed port.
import './test-run-context.ts';

export * from './closed-port.ts';
export * from './test-redis.ts';
