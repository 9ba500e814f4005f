export * from './backing-services.ts';
export * from './embedded-postgres.ts';
export * from './node-only-services.ts';
