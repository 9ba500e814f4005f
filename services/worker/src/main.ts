import { serviceMain } from '@rollcall/app';

/** The feed workers: consume feed.* queues into the database. Scale by running more of these. */
await serviceMain('workers');
