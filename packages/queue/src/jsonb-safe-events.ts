/**
 * BullMQ's PostgreSQL backend keeps a job's data in a `jsonb` column, and PostgreSQL's jsonb
 * refuses two things JSON allows: the escape `\u0000` and a surrogate that is not half of a pair
 * (`JSON.stringify` writes a paired surrogate as the character itself and a lone one as an escape,
 * so both show as escapes in its output). A producer's event may hold either (the hostile and fuzzed
 * inputs do); on Redis it is queued as is and the worker rejects it with its reason. On PostgreSQL
 * the whole job would be refused at `add`, the other events of the job with it.
 *
 * So such an event travels as its own JSON text, which the workers already accept (an event may
 * be sent as text) and parse back to the same value: the escapes are then plain characters inside
 * a string, which jsonb keeps. An event that is already text and holds those code units cannot be
 * written as text again without becoming "text encoded twice", which is what the worker then
 * refuses it as: kept, with that reason, and counted, never lost (operations.md, "Queues on Redis
 * or PostgreSQL").
 */
const JSONB_REFUSES = /(?<!\\)(?:\\\\)*\\u(?:0000|d[89a-f][0-9a-f]{2})/i;

/** Whether PostgreSQL's jsonb would refuse `value` as JSON. */
export function jsonbRefuses(value: unknown): boolean {
  const text = JSON.stringify(value);
  return text !== undefined && JSONB_REFUSES.test(text);
}

/** `data` with every event jsonb would refuse sent as its JSON text; the same object when none is. */
export function jsonbSafeFeedBatch<T>(data: T): T {
  const events = (data as { events?: unknown }).events;
  if (!Array.isArray(events) || !events.some(jsonbRefuses)) return data;
  return { ...data, events: events.map((event) => (jsonbRefuses(event) ? JSON.stringify(event) : event)) };
}
