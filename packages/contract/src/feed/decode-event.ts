import type { z } from 'zod';
import { FEEDS, type Feed, SCHEMA_VERSION } from './envelope.ts';
import { EVENT_SCHEMAS, eventTypesOf, type FeedEvent, isEventTypeOf } from './feed-event.ts';

/** What could be read from an input that failed validation, to file the rejection under. */
export interface RejectedEventHint {
  readonly eventId?: string;
  readonly forceId?: string;
  readonly type?: string;
  readonly feed?: string;
}

export type DecodeResult =
  | { readonly ok: true; readonly event: FeedEvent }
  | { readonly ok: false; readonly reason: string; readonly hint: RejectedEventHint };

const describe = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : typeof value;

const shortString = (value: unknown, max = 128): string | undefined =>
  typeof value === 'string' && value.length > 0 && value.length <= max ? value : undefined;

const quote = (value: unknown): string => {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

/** Every zod issue as `path: message`, joined; the path says where, the message why. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'event'}: ${issue.message}`)
    .join('; ');
}

/** What can be told of an input that is refused: its id, force, type and feed, when readable. */
const hintOf = (record: Record<string, unknown>): RejectedEventHint => ({
  ...(shortString(record.eventId) !== undefined && { eventId: shortString(record.eventId) }),
  ...(shortString(record.forceId, 64) !== undefined && { forceId: shortString(record.forceId, 64) }),
  ...(shortString(record.type, 64) !== undefined && { type: shortString(record.type, 64) }),
  ...(shortString(record.feed, 64) !== undefined && { feed: shortString(record.feed, 64) }),
});

/**
 * An event sent as a string: refused, never decoded on the producer's behalf, because a producer
 * that encodes twice has a fault its owners should see. When the text holds an event, the
 * rejection still says which one, so it can be found and sent again as an object.
 */
function decodeText(text: string): DecodeResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'event must be a JSON object (got a string that is not JSON)', hint: {} };
  }
  const hint =
    typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? hintOf(parsed as Record<string, unknown>)
      : {};
  return {
    ok: false,
    reason: `event must be a JSON object (got JSON text holding ${describe(parsed)}: the producer encoded it twice, e.g. JSON.stringify before queue.add)`,
    hint,
  };
}

/**
 * Validates one input against the feed contract and returns the typed event or one clear reason.
 * The checks run in the order a reader would want the first failure reported: shape, schema
 * version (an unknown version is not interpreted further), feed, type, then the type's fields.
 *
 * @param expectedFeed the feed of the queue the input arrived on; a different `feed` is rejected.
 */
export function decodeEvent(input: unknown, expectedFeed?: Feed): DecodeResult {
  if (typeof input === 'string') return decodeText(input);
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, reason: `event must be a JSON object (got ${describe(input)})`, hint: {} };
  }
  const record = input as Record<string, unknown>;
  // The hint is read only for a refused input: most inputs are valid and never need it.
  const reject = (reason: string): DecodeResult => ({ ok: false, reason, hint: hintOf(record) });

  if (!('schemaVersion' in record)) return reject('schemaVersion: required');
  if (record.schemaVersion !== SCHEMA_VERSION) {
    return reject(
      `schemaVersion: unknown version ${quote(record.schemaVersion)}; this pipeline reads version ${SCHEMA_VERSION} only`,
    );
  }
  const feed = record.feed;
  if (typeof feed !== 'string' || !(FEEDS as readonly string[]).includes(feed)) {
    return reject(`feed: must be one of ${FEEDS.join(', ')} (got ${quote(feed)})`);
  }
  if (expectedFeed !== undefined && feed !== expectedFeed) {
    return reject(`feed: ${quote(feed)} does not match the queue it arrived on (feed.${expectedFeed})`);
  }
  const type = record.type;
  if (typeof type !== 'string' || !isEventTypeOf(feed as Feed, type)) {
    return reject(
      `type: ${quote(type)} is not a ${feed} event type (expected one of ${eventTypesOf(feed as Feed).join(', ')})`,
    );
  }
  const parsed = EVENT_SCHEMAS[type].safeParse(record);
  if (!parsed.success) return reject(formatIssues(parsed.error.issues));
  return { ok: true, event: parsed.data as FeedEvent };
}
