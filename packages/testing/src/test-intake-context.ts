import { createCalendar } from '@rollcall/calendar';
import { loadReferenceData } from '@rollcall/reference';
import type { IngestContext } from '@rollcall/intake';
import { createPseudonymiser } from '@rollcall/intake';

/** The key tests pseudonymise with; never used outside tests. */
export const TEST_PSEUDONYM_KEY = 'test-only-pseudonym-key-0123456789abcdef';

/** An ingest context as the worker builds it, for tests. */
export function testIngestContext(): IngestContext {
  return {
    calendar: createCalendar('Europe/London'),
    pseudonymise: createPseudonymiser(TEST_PSEUDONYM_KEY),
    knownForces: new Set(loadReferenceData().forces.map((force) => force.forceId)),
  };
}
