const sqlStateOf = (error: unknown): string | undefined => (error as { code?: unknown }).code as string | undefined;

/**
 * Errors about the data, not the database's health: a value PostgreSQL refuses (class 22, data
 * exception; 23, integrity; 54, program limit such as an over-long index key). Retrying such a
 * batch would fail the same way for ever; isolating the offending event lets the rest through.
 */
export function isDataError(error: unknown): boolean {
  const state = sqlStateOf(error);
  return state !== undefined && /^(22|23|54)/.test(state);
}

/** Deadlock or serialisation failure: the transaction can simply run again. */
export function isTransientConflict(error: unknown): boolean {
  const state = sqlStateOf(error);
  return state === '40P01' || state === '40001';
}
