import type { EventType, FeedEvent } from '@rollcall/contract';

/**
 * One event as an entity remembers it: enough to re-interpret the entity at any time. An
 * entity's state is the *set* of its facts (keyed by event id), so adding facts is commutative
 * and idempotent; whatever order events arrive in, the set, and therefore everything derived from
 * it, ends the same.
 */
export interface Fact {
  /** The event's id. */
  readonly id: string;
  readonly type: EventType;
  /** `occurredAt` in epoch milliseconds. */
  readonly at: number;
  /** The payload as stored (person references already hashed). */
  readonly p: Readonly<Record<string, unknown>>;
}

export function factOf(event: FeedEvent): Fact {
  return { id: event.eventId, type: event.type, at: Date.parse(event.occurredAt), p: event.payload };
}

/** Event time, then event id: a total order, so "the earliest" is never a matter of arrival. */
export function compareFacts(a: Fact, b: Fact): number {
  return a.at - b.at || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The union of two fact sets, sorted by `compareFacts`. */
export function mergeFacts(existing: readonly Fact[], incoming: readonly Fact[]): Fact[] {
  const byId = new Map<string, Fact>();
  for (const fact of existing) byId.set(fact.id, fact);
  for (const fact of incoming) if (!byId.has(fact.id)) byId.set(fact.id, fact);
  return [...byId.values()].sort(compareFacts);
}

/** Facts of the given types, in order. */
export function factsOfType(facts: readonly Fact[], ...types: readonly EventType[]): Fact[] {
  return facts.filter((fact) => types.includes(fact.type));
}
