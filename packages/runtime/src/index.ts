export * from './backing-services.ts';
export * from './code-version.ts';
export * from './graceful-shutdown.ts';
export * from './canonical-json.ts';
export * from './delete-keys-with-prefix.ts';
