export * from './app-context.ts';
export * from './feed-worker-service.ts';
export * from './run-services.ts';
