import { metricsPortRole } from '@rollcall/api/metrics-port';
import { serviceMain } from '@rollcall/runtime';
import { feedWorkersRole } from './feed-workers-role.ts';

/** The feed workers: consume feed.* queues into the database. Scale by running more of these. */
await serviceMain('workers', [feedWorkersRole, metricsPortRole]);
