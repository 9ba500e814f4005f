import { type Db, findDueUnreleased } from '@rollcall/db';
import type { Logger } from '@rollcall/logger';

/** How often the scheduler looks for releases that have come due: a release goes out within this. */
export const RELEASE_WATCH_INTERVAL_MS = 30_000;

export interface ReleaseWatchOptions {
  readonly db: Db;
  /** Delivers what is due (the publishing outbox drain, which holds embargoed snapshots back until their release). */
  readonly deliver: () => Promise<unknown>;
  readonly log: Logger;
  /** The clock; the system clock by default. */
  readonly now?: () => Date;
  readonly intervalMs?: number;
}

/**
 * One look: if a pre-announced release is due and its files and message are not out (its time has
 * come, or passed while the scheduler was down), delivers them. Returns how many were due. The
 * API needs none of this: it shows a snapshot from its release time by the calendar alone.
 */
export async function deliverDueReleases(options: ReleaseWatchOptions): Promise<number> {
  const due = await findDueUnreleased(options.db, (options.now ?? (() => new Date()))());
  if (due.length === 0) return 0;
  options.log.info(
    { due: due.map((release) => `${release.forceId} ${release.asOf} at ${release.releaseAt.toISOString()}`) },
    'releases due: delivering files and messages',
  );
  await options.deliver();
  return due.length;
}

/**
 * Looks at once (a release missed while the scheduler was down goes out as soon as it is back),
 * then every `intervalMs`. Each look is idempotent (the outbox marks what it delivered), so two
 * schedulers watching at once deliver each release once. Returns the function that stops it.
 */
export function watchReleases(options: ReleaseWatchOptions): () => Promise<void> {
  let running: Promise<unknown> | null = null;
  // A look still running when the next is due is not doubled: the next tick looks again anyway.
  const look = () => {
    if (running !== null) return;
    running = deliverDueReleases(options)
      .catch((err: unknown) => options.log.warn({ err }, 'could not deliver due releases; the next look retries'))
      .finally(() => {
        running = null;
      });
  };
  look();
  const timer = setInterval(look, options.intervalMs ?? RELEASE_WATCH_INTERVAL_MS);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}
