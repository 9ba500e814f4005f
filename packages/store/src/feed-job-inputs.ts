/**
 * The offered inputs of a feed job: `{ "events": [...] }` gives its events, anything else is one
 * input (feeds.md: a job is one event or a batch). A malformed job is therefore one input that
 * validation rejects with its reason; it is never dropped and never retried.
 */
export function feedJobInputs(data: unknown): unknown[] {
  if (typeof data === 'object' && data !== null && !Array.isArray(data) && 'events' in data) {
    const { events } = data as { events: unknown };
    if (Array.isArray(events)) return events;
  }
  return [data];
}
