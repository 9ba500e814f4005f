import type { Calendar } from '@rollcall/calendar';
import { interpretCall } from './call-lifecycle.ts';
import { interpretCirculation } from './circulation-lifecycle.ts';
import { type Contribution, contributionDeltas } from './contribution.ts';
import { interpretDomesticAbuseCrime } from './domestic-abuse-crime-lifecycle.ts';
import type { EntityKind } from './entity-kind.ts';
import { type Fact, mergeFacts } from './fact.ts';
import { interpretIncident } from './incident-lifecycle.ts';
import type { Interpreter, Lifecycle } from './lifecycle.ts';
import { interpretProtectionCase } from './protection-case-lifecycle.ts';
import { interpretSearch } from './search-lifecycle.ts';

const INTERPRETERS: Readonly<Record<EntityKind, Interpreter>> = {
  call: interpretCall,
  incident: interpretIncident,
  circulation: interpretCirculation,
  'protection-case': interpretProtectionCase,
  'domestic-abuse-crime': interpretDomesticAbuseCrime,
  search: interpretSearch,
};

/**
 * Bump when an interpreter changes what it contributes. Stored entity states and aggregates built
 * by another version are then stale: the release notes must say to run
 * `rollcall replay --entities` once after deploying. Nothing checks this automatically yet (the
 * version is not recorded with the data); it names the change for reviewers and release notes.
 *
 * 2: a `call.assessed` timed before the call's answer is no longer counted.
 * 3: an incident not attended also stands in `incidents.unattended_at_day_end` on its grading day.
 * 4: a stop-search amendment carrying `searchedAt` moves the search to that day, and one carrying
 *    `withdrawn: true` withdraws it (data.police.uk editions matched by content).
 */
export const LIFECYCLE_VERSION = 4;

export function interpretEntity(kind: EntityKind, facts: readonly Fact[], calendar: Calendar): Lifecycle {
  return INTERPRETERS[kind](facts, calendar);
}

export interface FoldResult {
  readonly facts: Fact[];
  readonly lifecycle: Lifecycle;
  /** What the aggregates must change by: the new contributions minus the old. */
  readonly deltas: Contribution[];
}

/**
 * Adds facts to an entity and says what that changes. The old contributions are recomputed from
 * the stored facts rather than stored themselves: the fact set is the single source, and an
 * interpreter change is a replay, not a data migration of stored contributions.
 */
export function foldEntity(
  kind: EntityKind,
  stored: readonly Fact[],
  incoming: readonly Fact[],
  calendar: Calendar,
): FoldResult {
  const facts = mergeFacts(stored, incoming);
  const before = stored.length > 0 ? interpretEntity(kind, stored, calendar).contributions : [];
  const lifecycle = interpretEntity(kind, facts, calendar);
  return { facts, lifecycle, deltas: contributionDeltas(before, lifecycle.contributions) };
}
