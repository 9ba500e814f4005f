// Each package's own test kit, gathered here for the packages above them.
export * from '@rollcall/db/testing';
export * from '@rollcall/queue/testing';
export * from './test-intake-context.ts';
export * from './test-fixtures.ts';
export * from './redis-servers.ts';
