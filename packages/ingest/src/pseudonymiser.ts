import { createHmac } from 'node:crypto';
import { PERSON_REFERENCE_FIELD_NAMES } from '@rollcall/events';

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
  return (reference) => (PSEUDONYM.test(reference) ? reference : `psn_${createHmac('sha256', key).update(reference, 'utf8').digest('hex').slice(0, 32)}`);
}

const isContainer = (value: unknown): value is object => value !== null && typeof value === 'object';

/** Whether a person reference field name appears anywhere in `input`. Iterative: any depth is safe. */
export function containsPersonReference(input: unknown): boolean {
  const pending: unknown[] = [input];
  while (pending.length > 0) {
    const value = pending.pop();
    if (!isContainer(value)) continue;
    if (Array.isArray(value)) {
      for (const item of value) if (isContainer(item)) pending.push(item);
      continue;
    }
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      if (PERSON_REFERENCE_FIELD_NAMES.has(key)) return true;
      const item = (value as Record<string, unknown>)[key];
      if (isContainer(item)) pending.push(item);
    }
  }
  return false;
}

const setOwn = (target: Record<string, unknown>, key: string, value: unknown) => {
  // `__proto__` from JSON.parse is an own key; plain assignment would change the prototype instead.
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
};

/**
 * A copy of any input with every value under a person reference field name (`personRef`,
 * `subjectRef`) pseudonymised, at any depth and under any key, known or not: the contract's
 * objects are open, so a producer can put a reference where no schema expects one, and it must
 * not be stored, kept with a rejection or logged in clear. Non-string values under such a name
 * are replaced by `[removed]`. Iterative, so a hostile nesting depth cannot overflow the stack.
 * Returns `input` itself when there is nothing to replace.
 */
export function scrubPersonReferences<T>(input: T, pseudonymise: Pseudonymise): T {
  if (!isContainer(input) || !containsPersonReference(input)) return input;
  const copyOf = (value: object): Record<string, unknown> => (Array.isArray(value) ? ([] as unknown as Record<string, unknown>) : {});
  const root = copyOf(input);
  const pending: [object, Record<string, unknown>][] = [[input, root]];
  while (pending.length > 0) {
    const [source, target] = pending.pop()!;
    const isArray = Array.isArray(source);
    for (const [key, value] of Object.entries(source)) {
      if (!isArray && PERSON_REFERENCE_FIELD_NAMES.has(key)) {
        setOwn(target, key, typeof value === 'string' ? pseudonymise(value) : '[removed]');
      } else if (isContainer(value)) {
        const copy = copyOf(value);
        setOwn(target, key, copy);
        pending.push([value, copy]);
      } else {
        setOwn(target, key, value);
      }
    }
  }
  return root as T;
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
