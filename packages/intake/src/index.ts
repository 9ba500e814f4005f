export * from './prepare-event.ts';
export * from './pseudonymiser.ts';
export * from './rejections.ts';
export * from './storable-text.ts';
export * from './open-ingest-context.ts';
