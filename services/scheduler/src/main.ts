import { serviceMain } from '@rollcall/app';

/** The nightly run: publishes the previous London day's snapshots and catches up missed days. */
await serviceMain('scheduler');
