import { isEventIdTaken } from '@rollcall/db';
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

/**
 * Deadlock, serialisation failure, or another transaction storing the same new event first (a
 * unique violation on `event_ids_pkey`, see `insertNewEvents`): the transaction can simply run
 * again, and then finds that event stored. Checked before `isDataError`, which class 23 also fits.
 */
export function isTransientConflict(error: unknown): boolean {
  const state = sqlStateOf(error);
  return state === '40P01' || state === '40001' || isEventIdRace(error);
}

/** Two transactions stored the same new event at once; the first committed. */
export function isEventIdRace(error: unknown): boolean {
  return isEventIdTaken(error);
}

/** Socket failures: the server is not there, or the path to it broke. */
const SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** What pg and pg-pool throw, without a code, when a connection dies or cannot be made. */
const DRIVER_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'timeout expired',
  'Client has encountered a connection error and is not queryable',
];

/**
 * The database cannot be reached, as opposed to refusing what was asked of it: SQLSTATE class 08
 * (connection exception), 57P01..57P03 (the server shutting down, crashed, or not accepting
 * connections yet: a restart), a socket error, or pg's own "Connection terminated ...". Such an
 * error says nothing about the job, so it should not cost the job one of its attempts.
 */
export function isDatabaseUnreachable(error: unknown): boolean {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) {
    const code = (cause as { code?: unknown }).code;
    if (
      typeof code === 'string' &&
      (/^08[0-9A-Z]{3}$/.test(code) || /^57P0[123]$/.test(code) || SOCKET_CODES.has(code))
    )
      return true;
    if (DRIVER_MESSAGES.some((message) => cause instanceof Error && cause.message.startsWith(message))) return true;
  }
  return false;
}
