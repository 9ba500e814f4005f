export * from './backing-services.ts';
export * from './embedded-postgres.ts';
