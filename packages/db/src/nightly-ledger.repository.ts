import { sql } from 'kysely';
import type { DbOrTransaction } from './database.ts';

/**
 * The nightly run ledger (`nightly_runs`): one row per `asOf` date, which is what makes a run
 * keyed by its date. States:
 * - `running`: claimed by a run that has not finished (or that died; see `claimNightlyRun`);
 * - `succeeded`: every force published; final, the date is never run again;
 * - `failed`: the latest attempt failed (one or more forces), with each force's error; run again
 *   by every fire while the date is inside the catch-up window, skipped once it falls out;
 * - `skipped`: missed and older than the catch-up limit; claimable again only if a later run
 *   finds it back inside its window (the limit was raised).
 */
export const NIGHTLY_RUN_STATES = ['running', 'succeeded', 'failed', 'skipped'] as const;
export type NightlyRunState = (typeof NIGHTLY_RUN_STATES)[number];

/**
 * Who started a run: the job scheduler, a process starting up, or a person. The nightly job's
 * data carries the same three (its zod schema in @rollcall/queue; scheduling checks they agree).
 */
export type NightlyTrigger = 'schedule' | 'startup' | 'manual';

/** What publishing one force as of one date did. JSON-ready: the ledger keeps it per run. */
export interface NightlyPublication {
  readonly forceId: string;
  readonly asOf: string;
  /** The head snapshot after publishing; null when the force had nothing to publish. */
  readonly snapshotId: string | null;
  readonly revision: number | null;
  /** False when the inputs were unchanged and the existing snapshot stands (same `contentHash`). */
  readonly created: boolean;
}

export interface NightlyRun {
  readonly asOf: string;
  readonly state: NightlyRunState;
  /** Claims of this date so far, including the current one. */
  readonly attempts: number;
  readonly trigger: NightlyTrigger;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  readonly error: string | null;
  /** What the latest attempt published, force by force (also on failure: the forces that did). */
  readonly published: readonly NightlyPublication[];
}

interface NightlyRunRow {
  as_of: string;
  state: string;
  attempts: number;
  trigger: string;
  started_at: Date | null;
  finished_at: Date | null;
  error: string | null;
  published: unknown;
}

function toNightlyRun(row: NightlyRunRow): NightlyRun {
  if (!(NIGHTLY_RUN_STATES as readonly string[]).includes(row.state)) {
    throw new RangeError(`nightly_runs ${row.as_of} has unknown state ${JSON.stringify(row.state)}`);
  }
  return {
    asOf: row.as_of,
    state: row.state as NightlyRunState,
    attempts: row.attempts,
    trigger: row.trigger as NightlyTrigger,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    error: row.error,
    // Only this module writes the column, always as an array of outcomes.
    published: row.published as readonly NightlyPublication[],
  };
}

/** The two dates a run's range is computed from (see `nightlyDates`). */
export interface NightlyLedgerBounds {
  /** The latest date that succeeded; null when none has. */
  readonly latestSucceeded: string | null;
  /** The earliest date recorded in any state; null for an empty ledger. */
  readonly firstRecorded: string | null;
}

export async function readNightlyLedgerBounds(db: DbOrTransaction): Promise<NightlyLedgerBounds> {
  const row = await db
    .selectFrom('nightly_runs')
    .select([
      sql<string | null>`max(as_of) filter (where state = 'succeeded')`.as('latest_succeeded'),
      sql<string | null>`min(as_of)`.as('first_recorded'),
    ])
    .executeTakeFirstOrThrow();
  return { latestSucceeded: row.latest_succeeded, firstRecorded: row.first_recorded };
}

/** What a run's dates are computed from (`nightlyDates`), for a window starting at `windowFirst`. */
export interface NightlyLedgerView extends NightlyLedgerBounds {
  /** Dates from `windowFirst` on recorded as succeeded, oldest first. */
  readonly succeeded: readonly string[];
  /** Dates before `windowFirst` recorded as failed or running, oldest first (to record as skipped). */
  readonly unfinished: readonly string[];
}

/**
 * Reads the ledger for a run whose window starts at `windowFirst`. Bounded whatever the
 * history: the window's dates, plus the failed or running dates before it, which a run turns
 * into `skipped` once and then no longer reads.
 */
export async function readNightlyLedgerView(db: DbOrTransaction, windowFirst: string): Promise<NightlyLedgerView> {
  const bounds = await readNightlyLedgerBounds(db);
  const rows = await db
    .selectFrom('nightly_runs')
    .select(['as_of', 'state'])
    .where((eb) =>
      eb.or([
        eb.and([eb('as_of', '>=', windowFirst), eb('state', '=', 'succeeded')]),
        eb.and([eb('as_of', '<', windowFirst), eb('state', 'in', ['failed', 'running'])]),
      ]),
    )
    .orderBy('as_of')
    .execute();
  return {
    ...bounds,
    succeeded: rows.filter((row) => row.state === 'succeeded').map((row) => row.as_of),
    unfinished: rows.filter((row) => row.state !== 'succeeded').map((row) => row.as_of),
  };
}

export async function readNightlyRun(db: DbOrTransaction, asOf: string): Promise<NightlyRun | undefined> {
  const row = await db.selectFrom('nightly_runs').selectAll().where('as_of', '=', asOf).executeTakeFirst();
  return row && toNightlyRun(row);
}

/** Runs newest date first; `from`/`to` are inclusive dates. */
export async function listNightlyRuns(
  db: DbOrTransaction,
  options: { readonly from?: string; readonly to?: string; readonly limit?: number } = {},
): Promise<NightlyRun[]> {
  let query = db
    .selectFrom('nightly_runs')
    .selectAll()
    .orderBy('as_of', 'desc')
    .limit(options.limit ?? 100);
  if (options.from !== undefined) query = query.where('as_of', '>=', options.from);
  if (options.to !== undefined) query = query.where('as_of', '<=', options.to);
  return (await query.execute()).map(toNightlyRun);
}

export interface ClaimNightlyRunOptions {
  readonly trigger: NightlyTrigger;
  /** Epoch ms, recorded as `started_at`. */
  readonly now: number;
  /**
   * Take over a `running` row too. Pass true only while holding the nightly lock
   * (`withNightlyLock`): every run claims under that lock and PostgreSQL releases it when the
   * holder's connection closes, so a `running` row seen by the lock holder belongs to a run that
   * died (process killed, host lost). That replaces a stale-running timeout, which would have to
   * guess how long a healthy run may take.
   */
  readonly takeOverRunning: boolean;
}

export type NightlyClaim =
  | { readonly claimed: true; readonly run: NightlyRun }
  /** Someone else's: `succeeded`, or `running` without `takeOverRunning`. */
  | { readonly claimed: false; readonly run: NightlyRun | undefined };

/**
 * Claims `asOf` for this run: `running`, attempts + 1, `started_at` = now. One statement (insert,
 * or update on conflict only from a claimable state), so of two runs claiming the same date at
 * the same instant exactly one gets the row: PostgreSQL makes the second wait for the first's
 * commit and then re-checks the state. Claimable: no row, `failed`, `skipped`, and `running` with
 * `takeOverRunning`. A `succeeded` date is never claimed again.
 */
export async function claimNightlyRun(
  db: DbOrTransaction,
  asOf: string,
  options: ClaimNightlyRunOptions,
): Promise<NightlyClaim> {
  const claimable: NightlyRunState[] = options.takeOverRunning
    ? ['failed', 'skipped', 'running']
    : ['failed', 'skipped'];
  const startedAt = new Date(options.now);
  const row = await db
    .insertInto('nightly_runs')
    .values({
      as_of: asOf,
      state: 'running',
      attempts: 1,
      trigger: options.trigger,
      started_at: startedAt,
      published: '[]',
    })
    .onConflict((oc) =>
      oc
        .column('as_of')
        .doUpdateSet((eb) => ({
          state: 'running',
          attempts: eb('nightly_runs.attempts', '+', 1),
          trigger: eb.ref('excluded.trigger'),
          started_at: eb.ref('excluded.started_at'),
          finished_at: null,
          error: null,
          published: sql`'[]'::jsonb`,
        }))
        .where('nightly_runs.state', 'in', claimable),
    )
    .returningAll()
    .executeTakeFirst();
  if (row) return { claimed: true, run: toNightlyRun(row) };
  return { claimed: false, run: await readNightlyRun(db, asOf) };
}

export interface FinishNightlyRunOptions {
  /** The claim's `attempts`: a fencing token, so a run that was taken over cannot overwrite. */
  readonly attempt: number;
  /** Epoch ms, recorded as `finished_at`. */
  readonly now: number;
  readonly published: readonly NightlyPublication[];
}

/** Records success. False when the row is no longer this attempt's (it was taken over). */
export async function markNightlyRunSucceeded(
  db: DbOrTransaction,
  asOf: string,
  options: FinishNightlyRunOptions,
): Promise<boolean> {
  return finish(db, asOf, options, { state: 'succeeded', error: null });
}

/** Records failure with its error; the date stays claimable for the retry. */
export async function markNightlyRunFailed(
  db: DbOrTransaction,
  asOf: string,
  options: FinishNightlyRunOptions & { readonly error: string },
): Promise<boolean> {
  return finish(db, asOf, options, { state: 'failed', error: options.error });
}

async function finish(
  db: DbOrTransaction,
  asOf: string,
  options: FinishNightlyRunOptions,
  outcome: { state: NightlyRunState; error: string | null },
): Promise<boolean> {
  const result = await db
    .updateTable('nightly_runs')
    .set({
      state: outcome.state,
      error: outcome.error,
      finished_at: new Date(options.now),
      published: JSON.stringify(options.published),
    })
    .where('as_of', '=', asOf)
    .where('state', '=', 'running')
    .where('attempts', '=', options.attempt)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export interface RecordSkippedOptions {
  readonly trigger: NightlyTrigger;
  /** Epoch ms, recorded as `finished_at`. */
  readonly now: number;
  /** Why, kept as the row's `error` (the catch-up limit that was exceeded). */
  readonly reason: string;
  /** As for `claimNightlyRun`: a `running` row is turned into `skipped` only under the nightly lock. */
  readonly takeOverRunning: boolean;
}

/**
 * Records dates as `skipped`. A date with no row gets one; a `failed` one becomes `skipped` (the
 * last failure is kept after the reason, and its attempts count); `succeeded` is never touched.
 * Returns how many rows were written.
 */
export async function recordSkippedNightlyRuns(
  db: DbOrTransaction,
  dates: readonly string[],
  options: RecordSkippedOptions,
): Promise<number> {
  if (dates.length === 0) return 0;
  const replaceable: NightlyRunState[] = options.takeOverRunning ? ['failed', 'running'] : ['failed'];
  const finishedAt = new Date(options.now);
  const result = await db
    .insertInto('nightly_runs')
    .values(
      dates.map((asOf) => ({
        as_of: asOf,
        state: 'skipped',
        attempts: 0,
        trigger: options.trigger,
        finished_at: finishedAt,
        error: options.reason,
        published: '[]',
      })),
    )
    .onConflict((oc) =>
      oc
        .column('as_of')
        .doUpdateSet({
          state: 'skipped',
          finished_at: (eb) => eb.ref('excluded.finished_at'),
          error: sql`concat_ws('; ', excluded.error, 'last attempt: ' || nightly_runs.error)`,
        })
        .where('nightly_runs.state', 'in', replaceable),
    )
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0);
}
