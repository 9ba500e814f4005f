export * from './feed-job-inputs.ts';
export * from './feed-workers.ts';
export * from './ingest-ndjson-file.ts';
export * from './prepare-event.ts';
export * from './pseudonymiser.ts';
export * from './storable-text.ts';
export * from './store-feed-batch.ts';
export * from './store-feed-batch-safely.ts';
