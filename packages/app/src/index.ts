export * from './app-context.ts';
export * from './feed-worker-service.ts';
export * from './scheduler-service.ts';
