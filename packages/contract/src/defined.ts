/**
 * `value`, or an Error naming `what` when it is undefined. For what the code around it already
 * guarantees but the compiler cannot see: an array element read by index under
 * `noUncheckedIndexedAccess`, a column checked on the header line. Throwing names the broken
 * assumption where a non-null assertion (`!`, refused by lint) would pass `undefined` on.
 */
export function defined<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`${what} is missing`);
  return value;
}
