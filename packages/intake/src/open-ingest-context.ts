import type { Calendar } from '@rollcall/calendar';
import { type Config, requirePseudonymKey } from '@rollcall/config';
import { type Db, readForceIds } from '@rollcall/db';
import type { IngestContext } from './prepare-event.ts';
import { createPseudonymiser } from './pseudonymiser.ts';

/** What accepting an input needs: the calendar, the pseudonymiser (PSEUDONYM_KEY) and the known forces. */
export async function openIngestContext(resources: {
  readonly db: Db;
  readonly calendar: Calendar;
  readonly config: Config;
}): Promise<IngestContext> {
  return {
    calendar: resources.calendar,
    pseudonymise: createPseudonymiser(requirePseudonymKey(resources.config)),
    knownForces: await readForceIds(resources.db),
  };
}
