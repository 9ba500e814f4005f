export * from './invalid-job-error.ts';
export * from './job-catalog.ts';
export * from './queue-factory.ts';
export * from './queue-names.ts';
export * from './redis-connection.ts';
export * from './wait-for-drained.ts';
export * from './worker-factory.ts';
export * from './delete-keys-with-prefix.ts';
