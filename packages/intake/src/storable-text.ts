/**
 * PostgreSQL text and jsonb cannot hold U+0000, and jsonb refuses an unpaired UTF-16 surrogate.
 * Either would fail a whole batch's transaction, over and over, so an event carrying one is
 * rejected up front with a reason instead.
 */
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Deeper than this, an event is refused: no feed nests more than a few levels. */
export const MAX_EVENT_DEPTH = 32;

/**
 * Why PostgreSQL could not store `value` as it is, naming where: a string (key or value) it
 * cannot hold, or nesting deeper than `MAX_EVENT_DEPTH`. Undefined when it can. Iterative, so a
 * hostile depth cannot overflow the stack; reports the first problem in document order.
 */
export function findStorageProblem(value: unknown): string | undefined {
  return mayHaveStorageProblem(value, 0) ? locateStorageProblem(value) : undefined;
}

/**
 * Whether `findStorageProblem` would find something: the same checks without building a path
 * for every member, which every event pays for, while only refused ones need one. Recursion is
 * bounded: deeper than `MAX_EVENT_DEPTH` answers at once.
 */
function mayHaveStorageProblem(item: unknown, depth: number): boolean {
  if (typeof item === 'string') return UNSTORABLE.test(item);
  if (item === null || typeof item !== 'object') return false;
  if (depth >= MAX_EVENT_DEPTH) return true;
  if (Array.isArray(item)) {
    for (const member of item as unknown[]) if (mayHaveStorageProblem(member, depth + 1)) return true;
    return false;
  }
  for (const key in item) {
    if (!Object.hasOwn(item, key)) continue;
    if (UNSTORABLE.test(key) || mayHaveStorageProblem((item as Record<string, unknown>)[key], depth + 1)) return true;
  }
  return false;
}

function locateStorageProblem(value: unknown): string | undefined {
  const pending: [item: unknown, path: string, depth: number][] = [[value, '', 0]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, path, depth] = next;
    if (typeof item === 'string') {
      if (UNSTORABLE.test(item))
        return `${path || 'event'}: contains a NUL character or an unpaired surrogate, which cannot be stored`;
      continue;
    }
    if (item === null || typeof item !== 'object') continue;
    if (depth >= MAX_EVENT_DEPTH) return `${path || 'event'}: nested more than ${MAX_EVENT_DEPTH} levels deep`;
    const members: [unknown, string][] = Array.isArray(item)
      ? item.map((member, index) => [member, `${path}[${index}]`])
      : Object.entries(item).map(([key, member]) => [member, path ? `${path}.${key}` : key]);
    if (!Array.isArray(item)) {
      const badKey = Object.keys(item).find((key) => UNSTORABLE.test(key));
      if (badKey !== undefined)
        return `${path ? `${path}.` : ''}${badKey}: contains a NUL character or an unpaired surrogate, which cannot be stored`;
    }
    // Pushed in reverse so the first member is looked at first.
    for (const [member, memberPath] of members.reverse()) pending.push([member, memberPath, depth + 1]);
  }
  return undefined;
}

/** Text made safe for a PostgreSQL text column: NULs and lone surrogates written as escapes. */
export function toStorableText(text: string): string {
  return text.replace(
    /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * Where `value` holds a `__proto__` key, if anywhere. `JSON.parse` keeps it as data, but copying
 * the object (as schema validation does) turns it into a prototype and it silently vanishes, so
 * a re-send without it would count as a duplicate of an event that had it. Refused instead.
 */
export function findPrototypeKey(value: unknown): string | undefined {
  return mayHavePrototypeKey(value) ? locatePrototypeKey(value) : undefined;
}

/** Whether `findPrototypeKey` would find one, without the paths; iterative, for inputs of any depth. */
function mayHavePrototypeKey(value: unknown): boolean {
  const pending: unknown[] = [value];
  while (pending.length > 0) {
    const item = pending.pop();
    if (item === null || typeof item !== 'object') continue;
    if (Array.isArray(item)) {
      for (const member of item as unknown[]) pending.push(member);
      continue;
    }
    if (Object.hasOwn(item, '__proto__')) return true;
    for (const key in item) if (Object.hasOwn(item, key)) pending.push((item as Record<string, unknown>)[key]);
  }
  return false;
}

function locatePrototypeKey(value: unknown): string | undefined {
  const pending: [item: unknown, path: string][] = [[value, '']];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [item, path] = next;
    if (item === null || typeof item !== 'object') continue;
    if (!Array.isArray(item) && Object.hasOwn(item, '__proto__')) {
      return `${path ? `${path}.` : ''}__proto__: a key that cannot be kept as data (JavaScript reads it as the object's prototype); rename it`;
    }
    const members: [unknown, string][] = Array.isArray(item)
      ? item.map((member, index) => [member, `${path}[${index}]`])
      : Object.entries(item).map(([key, member]) => [member, path ? `${path}.${key}` : key]);
    for (const member of members) pending.push(member);
  }
  return undefined;
}
