import { type EventOfType, type EventType, exampleEvent } from '@rollcall/contract';
import { accumulate, type Contribution } from './contribution.ts';
import { type Fact, factOf } from './fact.ts';

/** A fact of `type` at `occurredAt` with payload overrides, for lifecycle tests. */
export function fact<T extends EventType>(
  type: T,
  occurredAt: string,
  payload: Partial<EventOfType<T>['payload']> = {},
  id = `${type}@${occurredAt}`,
): Fact {
  return factOf(exampleEvent(type, { eventId: id, occurredAt, payload }));
}

/** Contributions summed per (day, metric, dim), zeros dropped, as a plain sorted object. */
export function totals(contributions: readonly Contribution[]): Record<string, number> {
  const sums = new Map<string, number>();
  accumulate(sums, contributions);
  return Object.fromEntries(
    [...sums]
      .filter(([, value]) => value !== 0)
      .map(([key, value]) => [key.replaceAll('\u0001', ' '), value] as const)
      .sort(([a], [b]) => (a < b ? -1 : 1)),
  );
}
