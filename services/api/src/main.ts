import { metricsPortRole } from '@rollcall/api/metrics-port';
import { serviceMain } from '@rollcall/runtime';
import { apiRole } from './api-role.ts';

/** The HTTP API and dashboard, stateless: run as many as the load needs behind a balancer. */
await serviceMain('api', [apiRole, metricsPortRole]);
