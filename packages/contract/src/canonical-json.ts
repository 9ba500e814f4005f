import { createHash, hash } from 'node:crypto';

/** `JSON.stringify(key)` per key seen: events and snapshots repeat a few dozen keys millions of times. */
const quotedKeys = new Map<string, string>();
const MAX_QUOTED_KEYS = 10_000;

function quotedKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    // Keys of hostile input could be unbounded: the cache is a help, never a leak.
    if (quotedKeys.size >= MAX_QUOTED_KEYS) quotedKeys.clear();
    quotedKeys.set(key, quoted);
  }
  return quoted;
}

/** A member whose canonical JSON the caller has already written (an event's payload): used as is. */
export interface KnownMember {
  readonly value: unknown;
  readonly text: string;
}

/**
 * JSON with object keys sorted at every level and `undefined` members left out, so that two
 * events with the same content have the same text (and hash) whatever order their fields were
 * written in.
 *
 * On the ingest hot path (every event's content hash): written as one string built by
 * concatenation, without the arrays and joins of each level, with each key quoted once per
 * process. The text is the same, byte for byte, as `JSON.stringify` of the key-sorted value.
 * A `known` member (the same object, found at the top level) is given its text unwritten.
 */
export function canonicalJson(value: unknown, known?: KnownMember): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (i > 0) text += ',';
      text += item === undefined ? 'null' : canonicalJson(item);
    }
    return `${text}]`;
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let text = '{';
  let first = true;
  for (const key of keys) {
    const member = record[key];
    if (member === undefined) continue;
    text += first ? quotedKey(key) : `,${quotedKey(key)}`;
    text += `:${known !== undefined && member === known.value ? known.text : canonicalJson(member)}`;
    first = false;
  }
  return `${text}}`;
}

/** SHA-256 of the text's UTF-8 bytes, as hex; the one-shot `crypto.hash` where Node has it. */
export function sha256Hex(text: string): string {
  return typeof hash === 'function'
    ? hash('sha256', text, 'hex')
    : createHash('sha256').update(text, 'utf8').digest('hex');
}
