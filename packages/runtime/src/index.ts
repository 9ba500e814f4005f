export * from './code-version.ts';
export * from './graceful-shutdown.ts';
export * from './run-services.ts';
export * from './service-context.ts';
