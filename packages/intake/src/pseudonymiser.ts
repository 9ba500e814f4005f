import { createHmac } from 'node:crypto';
import { hasPersonReference, PERSON_REFERENCE_FIELD_NAMES, replacePersonReferences } from '@rollcall/contract';

/** Replaces a person reference by its keyed hash. */
export type Pseudonymise = (reference: string) => string;

const PSEUDONYM = /^psn_[0-9a-f]{32}$/;

/**
 * HMAC-SHA256 under `PSEUDONYM_KEY`, truncated to 128 bits: the same person gets the same
 * pseudonym (so repeat circulations can still be linked) but without the key the pseudonym cannot
 * be reversed or recomputed from a guessed PNC number. The `psn_` prefix makes a pseudonym
 * recognisable wherever it is seen, and makes pseudonymising idempotent: a value that already is
 * a pseudonym is kept, so the ingest CLI can pseudonymise before a job reaches Redis and the
 * worker's own pass changes nothing (same stored event, same content hash).
 */
export function createPseudonymiser(key: string): Pseudonymise {
  if (key.length < 32) throw new RangeError('pseudonym key must be at least 32 characters');
  return (reference) =>
    PSEUDONYM.test(reference)
      ? reference
      : `psn_${createHmac('sha256', key).update(reference, 'utf8').digest('hex').slice(0, 32)}`;
}

/** Whether a person reference field name appears anywhere in `input`. */
export const containsPersonReference = (input: unknown): boolean => hasPersonReference(input);

/**
 * Whether `input` may hold a person reference in clear: a reference field whose value is not
 * already a pseudonym, or text naming such a field (which only decoding could tell). Cheap
 * enough to ask of every job, so that only the jobs that need it are rewritten.
 */
export const mayHoldPersonReferenceInClear = (input: unknown): boolean =>
  hasPersonReference(input, (value) => typeof value !== 'string' || !PSEUDONYM.test(value), { inText: true });

/**
 * A copy of any input with every value under a person reference field name (`personRef`,
 * `subjectRef`) pseudonymised, at any depth and under any key, known or not: the contract's
 * objects are open, so a producer can put a reference where no schema expects one, and it must
 * not be stored, kept with a rejection or logged in clear. Non-string values under such a name
 * are replaced by `[removed]`. Text is read too, in every shape a producer may send: an event
 * sent as JSON text, a batch of texts, JSON text inside a field, text encoded twice (each level
 * is decoded, pseudonymised and encoded again), and text that is not JSON at all (by the
 * `"personRef": "..."` shape). Returns `input` itself when there is nothing to replace.
 */
export function scrubPersonReferences<T>(input: T, pseudonymise: Pseudonymise): T {
  return scrubAtDepth(input, pseudonymise, 0);
}

/** JSON text inside JSON text this deep is read by its shape instead of decoded again. */
const MAX_TEXT_NESTING = 8;
const LOOKS_LIKE_JSON = /^\s*["[{]/;

function scrubAtDepth<T>(input: T, pseudonymise: Pseudonymise, depth: number): T {
  return replacePersonReferences(
    input,
    (value) => (typeof value === 'string' ? pseudonymise(value) : '[removed]'),
    (text) => scrubText(text, pseudonymise, depth + 1),
  );
}

function scrubText(text: string, pseudonymise: Pseudonymise, depth: number): string {
  if (depth <= MAX_TEXT_NESTING && LOOKS_LIKE_JSON.test(text)) {
    try {
      const parsed: unknown = JSON.parse(text);
      const scrubbed = scrubAtDepth(parsed, pseudonymise, depth);
      return scrubbed === parsed ? text : JSON.stringify(scrubbed);
    } catch {
      // Not JSON after all, or too deep to decode or encode: read it by its shape below.
    }
  }
  return scrubPersonReferencesInText(text, pseudonymise);
}

const NAMES = [...PERSON_REFERENCE_FIELD_NAMES].join('|');
/**
 * A person reference field in text that is not valid JSON: the name quoted or not, then a value
 * in double quotes, single quotes (either possibly unterminated, up to the end of the line) or
 * bare up to the next separator.
 */
const PERSON_FIELD_IN_TEXT = new RegExp(
  `(["']?)(${NAMES})\\1(\\s*:\\s*)(?:"((?:[^"\\\\]|\\\\.)*)"?|'((?:[^'\\\\]|\\\\.)*)'?|([^\\s,}\\]]+))`,
  'g',
);

/**
 * Pseudonymises person references in text that is not valid JSON (a malformed line of a file),
 * where they can only be found by their `"personRef": "..."` shape, however broken.
 */
export function scrubPersonReferencesInText(text: string, pseudonymise: Pseudonymise): string {
  return text.replace(
    PERSON_FIELD_IN_TEXT,
    (_match, quote: string, name: string, colon: string, doubleQuoted?: string, singleQuoted?: string, bare?: string) =>
      `${quote}${name}${quote}${colon}"${pseudonymise(doubleQuoted ?? singleQuoted ?? bare ?? '')}"`,
  );
}
