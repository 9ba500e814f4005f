import { createHmac } from 'node:crypto';
import { type FeedEvent, PERSON_REFERENCE_FIELD_NAMES, PERSON_REFERENCE_FIELDS } from '@rollcall/events';

/** Replaces a person reference by its keyed hash. */
export type Pseudonymise = (reference: string) => string;

/**
 * HMAC-SHA256 under `PSEUDONYM_KEY`, truncated to 128 bits: the same person gets the same
 * pseudonym (so repeat circulations can still be linked) but without the key the pseudonym cannot
 * be reversed or recomputed from a guessed PNC number. The `psn_` prefix makes a pseudonym
 * recognisable wherever it is seen.
 */
export function createPseudonymiser(key: string): Pseudonymise {
  if (key.length < 32) throw new RangeError('pseudonym key must be at least 32 characters');
  return (reference) => `psn_${createHmac('sha256', key).update(reference, 'utf8').digest('hex').slice(0, 32)}`;
}

/** A copy of `event` with its person references replaced by pseudonyms. */
export function pseudonymiseEvent<E extends FeedEvent>(event: E, pseudonymise: Pseudonymise): E {
  const fields = PERSON_REFERENCE_FIELDS[event.type];
  if (!fields) return event;
  const payload: Record<string, unknown> = { ...event.payload };
  for (const field of fields) {
    const value = payload[field];
    if (typeof value === 'string') payload[field] = pseudonymise(value);
  }
  return { ...event, payload } as E;
}

/**
 * A copy of any input (a rejected event may be any shape) with every value under a person
 * reference field name pseudonymised, at any depth; non-string values there are removed. A
 * rejected event is kept for inspection, and must not keep the reference in clear either.
 */
export function scrubPersonReferences(input: unknown, pseudonymise: Pseudonymise, depth = 0): unknown {
  if (depth > 32 || input === null || typeof input !== 'object') return input;
  if (Array.isArray(input)) return input.map((item) => scrubPersonReferences(item, pseudonymise, depth + 1));
  const output: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (PERSON_REFERENCE_FIELD_NAMES.has(key)) output[key] = typeof value === 'string' ? pseudonymise(value) : '[removed]';
    else output[key] = scrubPersonReferences(value, pseudonymise, depth + 1);
  }
  return output;
}

const PERSON_FIELD_IN_TEXT = new RegExp(
  `("(?:${[...PERSON_REFERENCE_FIELD_NAMES].join('|')})"\\s*:\\s*")((?:[^"\\\\]|\\\\.)*)(")`,
  'g',
);

/**
 * Pseudonymises person references in text that is not valid JSON (a malformed line of a file),
 * where they can only be found by their `"personRef": "..."` shape.
 */
export function scrubPersonReferencesInText(text: string, pseudonymise: Pseudonymise): string {
  return text.replace(PERSON_FIELD_IN_TEXT, (_match, open: string, value: string, close: string) => `${open}${pseudonymise(value)}${close}`);
}
