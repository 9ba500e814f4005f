export * from './accounting-health.ts';
export * from './health-status.ts';
export * from './hide-person-references.ts';
export * from './metrics-registry.ts';
export * from './nightly-dead-man.ts';
export * from './oldest-waiting-age.ts';
export * from './per-minute-rate.ts';
export * from './pipeline-status.ts';
export * from './processing-time.ts';
export * from './queue-health-rules.ts';
export * from './queue-health.ts';
// The status report's rejection summary reads rejected_events; its query lives in packages/db.
export { summariseRejectionReasons, type RejectionGroup } from '@rollcall/db';
export * from './retry-failed.ts';
export * from './snapshot-outbox-health.ts';
export * from './stalled-counter.ts';
export * from './troubled-jobs.ts';
export * from './within-time.ts';
export * from './redis-continuity.ts';
