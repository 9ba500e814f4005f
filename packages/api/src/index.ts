export * from './api-error.ts';
export * from './auth.ts';
export * from './build-api.ts';
export * from './measure-series.ts';
export * from './metrics-server.ts';
export * from './readiness.ts';
export * from './response-format.ts';
