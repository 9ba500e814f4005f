import { serviceMain } from '@rollcall/app';

/** The HTTP read API, metrics and the dashboard page. */
await serviceMain('api');
