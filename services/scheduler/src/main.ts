import { metricsPortRole } from '@rollcall/api/metrics-port';
import { serviceMain } from '@rollcall/runtime';
import { schedulerRole } from './scheduler-role.ts';

/** The nightly run: publishes the previous London day's snapshots and catches up missed days. */
await serviceMain('scheduler', [schedulerRole(), metricsPortRole]);
