// Test kit of @rollcall/db (`@rollcall/db/testing`): a migrated database of a test file's own.
export * from './test-database.ts';
export * from './test-run-context.ts';
