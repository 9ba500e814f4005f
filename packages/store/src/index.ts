export * from './database-errors.ts';
export * from './entity-shards.ts';
export * from './feed-batch-outcome.ts';
export * from './feed-job-inputs.ts';
export * from './feed-workers.ts';
export * from './replay-aggregates.ts';
export * from './store-feed-batch.ts';
export * from './store-jobs-together.ts';
