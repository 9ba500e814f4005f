import { PERSON_REFERENCE_FIELD_NAMES } from './feed-event.ts';

const isContainer = (value: unknown): value is object => value !== null && typeof value === 'object';

const PERSON_FIELD_MENTION = new RegExp([...PERSON_REFERENCE_FIELD_NAMES].join('|'));

/**
 * Whether text names a person reference field: JSON text of an event sent as a string, or a
 * note holding one, may carry a reference that no object walk sees.
 */
export const mentionsPersonReference = (text: string): boolean => PERSON_FIELD_MENTION.test(text);

/**
 * Whether a field named as a person reference (`personRef`, `subjectRef`) appears anywhere in
 * `input` whose value satisfies `matches` (any value by default), or, with `inText`, whether any
 * string in it (or `input` itself) names such a field. Iterative: any depth is safe.
 */
export function hasPersonReference(
  input: unknown,
  matches: (value: unknown) => boolean = () => true,
  options: { inText?: boolean } = {},
): boolean {
  // Strings are only worth a look when asked to read text.
  const worthVisiting = options.inText ? () => true : isContainer;
  const pending: unknown[] = [input];
  while (pending.length > 0) {
    const value = pending.pop();
    if (typeof value === 'string' && options.inText && mentionsPersonReference(value)) return true;
    if (!isContainer(value)) continue;
    if (Array.isArray(value)) {
      for (const item of value) if (worthVisiting(item)) pending.push(item);
      continue;
    }
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      const item = (value as Record<string, unknown>)[key];
      if (PERSON_REFERENCE_FIELD_NAMES.has(key) && matches(item)) return true;
      if (worthVisiting(item)) pending.push(item);
    }
  }
  return false;
}

const setOwn = (target: Record<string, unknown>, key: string, value: unknown) => {
  // `__proto__` from JSON.parse is an own key; plain assignment would change the prototype instead.
  if (key === '__proto__')
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
};

/**
 * A copy of JSON-shaped `input` with the value of every person reference field, at any depth and
 * under any key (the contract's objects are open, so a producer can put one anywhere), replaced
 * by `replace(value)`. With `replaceInText`, every other string that names a person reference
 * field (`input` itself included) is replaced by `replaceInText(text)`: an event sent as JSON
 * text, or a field holding JSON text, carries its references where no key shows them. Returns
 * `input` itself when there is nothing to replace. Iterative, so a hostile nesting depth cannot
 * overflow the stack. Storage pseudonymises with it, views for people hide with it.
 */
export function replacePersonReferences<T>(
  input: T,
  replace: (value: unknown) => unknown,
  replaceInText?: (text: string) => string,
): T {
  const inText = replaceInText !== undefined;
  const visit = (value: unknown): unknown =>
    typeof value === 'string' && inText && mentionsPersonReference(value) ? replaceInText(value) : value;
  if (!isContainer(input)) return visit(input) as T;
  if (!hasPersonReference(input, undefined, { inText })) return input;
  const copyOf = (value: object): Record<string, unknown> =>
    Array.isArray(value) ? ([] as unknown as Record<string, unknown>) : {};
  const root = copyOf(input);
  const pending: [object, Record<string, unknown>][] = [[input, root]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [source, target] = next;
    const isArray = Array.isArray(source);
    for (const [key, value] of Object.entries(source)) {
      if (!isArray && PERSON_REFERENCE_FIELD_NAMES.has(key)) {
        setOwn(target, key, replace(value));
      } else if (isContainer(value)) {
        const copy = copyOf(value);
        setOwn(target, key, copy);
        pending.push([value, copy]);
      } else {
        setOwn(target, key, visit(value));
      }
    }
  }
  return root as T;
}
