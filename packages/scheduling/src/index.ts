export * from './nightly-dates.ts';
export * from './nightly-errors.ts';
export * from './nightly-ledger.ts';
export * from './nightly-lock.ts';
export * from './nightly-scheduler.ts';
export * from './nightly-worker.ts';
export * from './publish-snapshot.ts';
export * from './run-nightly.ts';
