export * from './closed-port.ts';
export * from './test-database.ts';
export * from './test-redis.ts';
export * from './test-intake-context.ts';
export * from './test-fixtures.ts';
export * from './redis-servers.ts';
export * from './test-queue-backend.ts';
