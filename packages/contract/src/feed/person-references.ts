import { PERSON_REFERENCE_FIELD_NAMES } from './feed-event.ts';

const isContainer = (value: unknown): value is object => value !== null && typeof value === 'object';

/**
 * Whether a field named as a person reference (`personRef`, `subjectRef`) appears anywhere in
 * `input` whose value satisfies `matches` (any value by default). Iterative: any depth is safe.
 */
export function hasPersonReference(input: unknown, matches: (value: unknown) => boolean = () => true): boolean {
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
      const item = (value as Record<string, unknown>)[key];
      if (PERSON_REFERENCE_FIELD_NAMES.has(key) && matches(item)) return true;
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
 * A copy of JSON-shaped `input` with the value of every person reference field, at any depth and
 * under any key (the contract's objects are open, so a producer can put one anywhere), replaced
 * by `replace(value)`. Returns `input` itself when it has none. Iterative, so a hostile nesting
 * depth cannot overflow the stack. Storage pseudonymises with it, views for people hide with it.
 */
export function replacePersonReferences<T>(input: T, replace: (value: unknown) => unknown): T {
  if (!isContainer(input) || !hasPersonReference(input)) return input;
  const copyOf = (value: object): Record<string, unknown> => (Array.isArray(value) ? ([] as unknown as Record<string, unknown>) : {});
  const root = copyOf(input);
  const pending: [object, Record<string, unknown>][] = [[input, root]];
  while (pending.length > 0) {
    const [source, target] = pending.pop()!;
    const isArray = Array.isArray(source);
    for (const [key, value] of Object.entries(source)) {
      if (!isArray && PERSON_REFERENCE_FIELD_NAMES.has(key)) {
        setOwn(target, key, replace(value));
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
