import type { NightlyTrigger } from '@rollcall/db';
import type { NightlyRunData } from '@rollcall/queue';
import { expectTypeOf, it } from 'vitest';

// The ledger (db) and the nightly job's data (queue) name who started a run separately, since
// neither package may import the other; this is where the two lists are held equal.
it('the ledger and the nightly job agree on who can start a run', () => {
  expectTypeOf<NightlyTrigger>().toEqualTypeOf<NightlyRunData['trigger']>();
});
