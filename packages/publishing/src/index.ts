export * from './load-snapshot-inputs.ts';
export * from './publish-snapshot.ts';
export * from './revise-stale-snapshots.ts';
export * from './snapshot-csv.ts';
export * from './snapshot-document.ts';
export * from './snapshot-files.ts';
export * from './snapshot-outbox.ts';
export * from './snapshot-published-message.ts';
