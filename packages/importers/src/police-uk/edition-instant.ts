const MAX_REVISION = 999_999;

/**
 * The `occurredAt` of the events an edition of a force-month sends to correct its records
 * (amendments and withdrawals): `YYYY-MM-01T00:00:00Z` plus `revision` seconds. Not a search time
 * but the edition's place in order: the lifecycle applies corrections in (occurredAt, eventId)
 * order, so a later edition always wins, and the instant stays inside the file's month (London or
 * UTC: at most 11.6 days in, for revision 999,999), the month whose coverage the file speaks for.
 */
export function editionInstant(month: string, revision: number): string {
  if (!Number.isInteger(revision) || revision < 1 || revision > MAX_REVISION)
    throw new RangeError(`revision must be 1 to ${MAX_REVISION} (got ${revision})`);
  return new Date(Date.parse(`${month}-01T00:00:00Z`) + revision * 1_000).toISOString().replace('.000Z', 'Z');
}

/** The revision as it appears in event ids: six digits, so ids of one record sort by edition. */
export const revisionTag = (revision: number): string => `e${String(revision).padStart(6, '0')}`;
