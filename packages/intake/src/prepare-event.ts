import { type Calendar, isoInstant, type LocalDate } from '@rollcall/calendar';
import { decodeEvent, type Feed, type FeedEvent, type RejectedEventHint } from '@rollcall/contract';
import { type EntityRef, entityOf, type Fact, factOf } from '@rollcall/lifecycles';
import { canonicalJson, sha256Hex } from '@rollcall/contract';
import { type Pseudonymise, scrubPersonReferences } from './pseudonymiser.ts';
import { findPrototypeKey, findStorageProblem, toStorableText } from './storable-text.ts';

/** What the ingest needs besides the database: the reporting calendar, the key, the forces. */
export interface IngestContext {
  readonly calendar: Calendar;
  readonly pseudonymise: Pseudonymise;
  /** Force slugs of the reference data; an event for another force is rejected. */
  readonly knownForces: ReadonlySet<string>;
}

export interface PreparedEvent {
  readonly kind: 'event';
  /** The event as it will be stored: validated, person references pseudonymised. */
  readonly event: FeedEvent;
  readonly contentHash: string;
  readonly entity: EntityRef;
  readonly fact: Fact;
  /** London day of `occurredAt`. */
  readonly day: LocalDate;
  /** `occurredAt` in UTC, whole milliseconds (`toISOString`): as stored, and as the hash saw it. */
  readonly occurredAtUtc: string;
  /**
   * The payload as canonical JSON, written once for the content hash and stored as the `payload`
   * column's text (issue 19: not written again by `JSON.stringify`); undefined without a payload.
   */
  readonly payloadJson: string | undefined;
}

export interface RejectedInput {
  readonly kind: 'rejected';
  readonly reason: string;
  readonly hint: RejectedEventHint;
  /** The input as offered, person references pseudonymised, as storable text. */
  readonly payload: string;
}

/** Keeps a rejected input for inspection without its person references in clear. */
export function rejectInput(
  input: unknown,
  reason: string,
  hint: RejectedEventHint,
  context: Pick<IngestContext, 'pseudonymise'>,
): RejectedInput {
  let payload: string;
  try {
    payload = JSON.stringify(scrubPersonReferences(input, context.pseudonymise)) ?? String(input);
  } catch (error) {
    // Too deep for JSON.stringify's recursion, for one: say so rather than keep "[object Object]".
    payload =
      typeof input === 'string'
        ? input
        : `[not kept: could not be written as JSON (${(error as Error).name}: ${(error as Error).message})]`;
  }
  return { kind: 'rejected', reason, hint, payload: toStorableText(payload) };
}

/** Larger than this (as canonical JSON), an event is refused: feed events are a few hundred bytes. */
export const MAX_EVENT_CHARACTERS = 65_536;

export interface PrepareOptions {
  /**
   * The input has been through `scrubPersonReferences` already, as part of something larger (a
   * worker scrubs a job's data whole before storing it, the CLI each line it reads): it is not
   * walked again. The same function over the container gives each event exactly what it gives the
   * event alone, and pseudonymising a pseudonym changes nothing, so the second walk only cost
   * time, and a copy of every event that holds a reference (issue 19).
   */
  readonly pseudonymised?: boolean;
}

/**
 * Validates one offered input against the contract and the reference data, pseudonymises it and
 * computes its content hash. The hash is over the canonical JSON with `occurredAt` normalised to
 * UTC, so the same event written with `Z` or with `+00:00` is a duplicate, not a conflict.
 * Whatever the input, the answer is an event or a rejection with its reason, never an exception:
 * one hostile input must not fail the job that carries a thousand good ones.
 */
export function prepareEvent(
  input: unknown,
  feed: Feed,
  context: IngestContext,
  options: PrepareOptions = {},
): PreparedEvent | RejectedInput {
  try {
    return prepareValidEvent(
      options.pseudonymised === true ? input : scrubPersonReferences(input, context.pseudonymise),
      feed,
      context,
    );
  } catch (error) {
    return rejectInput(
      input,
      `event could not be processed (${(error as Error).name}: ${(error as Error).message})`,
      {},
      context,
    );
  }
}

/**
 * `input` is pseudonymised already (by the caller above): a reason quotes the value it refuses,
 * and that value may be a person reference put where no field expects one.
 */
function prepareValidEvent(input: unknown, feed: Feed, context: IngestContext): PreparedEvent | RejectedInput {
  const decoded = decodeEvent(input, feed);
  if (!decoded.ok) return rejectInput(input, decoded.reason, decoded.hint, context);
  const hint = { eventId: decoded.event.eventId, forceId: decoded.event.forceId, type: decoded.event.type, feed };
  // Looked for in the input: the decoded copy has already lost it.
  const prototypeKey = findPrototypeKey(input);
  if (prototypeKey !== undefined) return rejectInput(input, prototypeKey, hint, context);
  if (!context.knownForces.has(decoded.event.forceId)) {
    return rejectInput(
      input,
      `forceId: unknown force ${JSON.stringify(decoded.event.forceId)} (not in the reference data)`,
      hint,
      context,
    );
  }
  const storageProblem = findStorageProblem(decoded.event);
  if (storageProblem !== undefined) return rejectInput(input, storageProblem, hint, context);
  const event = decoded.event;
  const fact = factOf(event);
  // Stored times are whole milliseconds (what a JavaScript Date holds), so the stored event,
  // its fact and a replay of it agree to the millisecond.
  const occurredAtUtc = isoInstant(fact.at);
  const payloadJson = event.payload === undefined ? undefined : canonicalJson(event.payload);
  const canonical = canonicalJson(
    { ...event, occurredAt: occurredAtUtc },
    payloadJson === undefined ? undefined : { value: event.payload, text: payloadJson },
  );
  if (canonical.length > MAX_EVENT_CHARACTERS) {
    return rejectInput(
      input,
      `event: ${canonical.length.toLocaleString('en-GB')} characters long; the limit is ${MAX_EVENT_CHARACTERS.toLocaleString('en-GB')}`,
      hint,
      context,
    );
  }
  return {
    kind: 'event',
    event,
    contentHash: sha256Hex(canonical),
    entity: entityOf(event),
    fact,
    day: context.calendar.dayOf(fact.at),
    occurredAtUtc,
    payloadJson,
  };
}
