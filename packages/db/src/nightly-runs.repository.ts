import type { DbOrTransaction } from './database.ts';

export interface NightlyRunRow {
  readonly asOf: string;
  readonly state: string;
  readonly finishedAt: Date | null;
  readonly error: string | null;
}

/** What the nightly dead man's switch looks at in the run ledger. */
export interface NightlyRunHistory {
  /** The successful run that finished last. */
  readonly lastSuccess: { readonly asOf: string; readonly finishedAt: Date } | undefined;
  /** The run that finished last (or started last, if none has finished), whatever its state. */
  readonly latest: NightlyRunRow | undefined;
  /** The earliest date whose run is `failed` and has not succeeded since, and how many such dates there are. */
  readonly oldestFailed: { readonly asOf: string; readonly error: string | null; readonly dates: number } | undefined;
}

export async function readNightlyRunHistory(db: DbOrTransaction): Promise<NightlyRunHistory> {
  const [success, latest, stillFailed] = await Promise.all([
    db
      .selectFrom('nightly_runs')
      .select(['as_of', 'finished_at'])
      .where('state', '=', 'succeeded')
      .where('finished_at', 'is not', null)
      .orderBy('finished_at', 'desc')
      .limit(1)
      .executeTakeFirst(),
    db
      .selectFrom('nightly_runs')
      .select(['as_of', 'state', 'finished_at', 'error'])
      .orderBy(
        (eb) => eb.fn.coalesce('finished_at', 'started_at'),
        (ob) => ob.desc().nullsLast(),
      )
      .orderBy('as_of', 'desc')
      .limit(1)
      .executeTakeFirst(),
    db
      .selectFrom('nightly_runs')
      .select(['as_of', 'error', (eb) => eb.fn.countAll<string>().over().as('dates')])
      .where('state', '=', 'failed')
      .orderBy('as_of', 'asc')
      .limit(1)
      .executeTakeFirst(),
  ]);
  return {
    lastSuccess: success?.finished_at ? { asOf: success.as_of, finishedAt: success.finished_at } : undefined,
    latest: latest && { asOf: latest.as_of, state: latest.state, finishedAt: latest.finished_at, error: latest.error },
    oldestFailed: stillFailed && {
      asOf: stillFailed.as_of,
      error: stillFailed.error,
      dates: Number(stillFailed.dates),
    },
  };
}
