import { type Db, pingDatabase } from '@rollcall/db';
import type { Logger } from '@rollcall/logger';
import type { Worker } from 'bullmq';

export interface DatabaseProbeOptions {
  /** Milliseconds before the first `select 1`; default 500. */
  readonly initialDelayMs?: number;
  /** The pause doubles after each failed probe up to this, in milliseconds; default 5,000 (as Redis reconnection). */
  readonly maxDelayMs?: number;
}

export interface DatabaseOutageGate {
  /**
   * Reports that a job could not reach the database: pauses every worker (without waiting for
   * their jobs, which are failing the same way) and probes until PostgreSQL answers.
   */
  enter(error: unknown): Promise<void>;
}

/**
 * Holds a process's feed workers while PostgreSQL is unreachable. Each job that meets the outage
 * is handed back to its queue uncharged (the caller throws BullMQ's RateLimitError), the workers
 * pause so that no other job is fetched only to fail, and `select 1` is tried after 0.5 s, then
 * 1, 2, 4 and every 5 s; when it answers, the workers resume. So an outage of any length costs no
 * attempts: without this, ten attempts with backoff are used up in about 8.5 minutes and every
 * job taken meanwhile ends failed, waiting for an operator's `retry-failed`.
 *
 * The pause is this process's only (Worker.pause, not Queue.pause): another process whose
 * database connection works carries on.
 */
export function createDatabaseOutageGate(
  db: Db,
  workers: () => readonly Worker[],
  log: Logger,
  options: DatabaseProbeOptions = {},
): DatabaseOutageGate {
  const initialDelayMs = options.initialDelayMs ?? 500;
  const maxDelayMs = options.maxDelayMs ?? 5_000;
  // From the first report until the workers are resumed: later reports of the same outage wait with it.
  let down = false;
  // A worker that is closing (shutdown) is neither resumed nor waited for.
  const open = () => workers().filter((worker) => !worker.closing);

  const probe = async (since: number): Promise<void> => {
    for (let delay = initialDelayMs, probes = 1; ; delay = Math.min(delay * 2, maxDelayMs), probes++) {
      await new Promise<void>((resolve) => setTimeout(resolve, delay).unref());
      if (open().length === 0) return;
      try {
        await pingDatabase(db);
        break;
      } catch (err) {
        log.debug({ err, probes, nextMs: Math.min(delay * 2, maxDelayMs) }, 'PostgreSQL still unreachable');
      }
    }
    down = false;
    const resumed = open();
    for (const worker of resumed) void worker.resume();
    log.info(
      { outageMs: Date.now() - since, queues: resumed.map((worker) => worker.name) },
      'PostgreSQL answers again: feed workers resumed',
    );
  };

  return {
    async enter(error) {
      if (down) return;
      down = true;
      const since = Date.now();
      log.warn(
        { err: error, firstProbeMs: initialDelayMs, maxProbeMs: maxDelayMs },
        'PostgreSQL unreachable: feed workers paused, jobs handed back without using an attempt; probing with select 1',
      );
      await Promise.all(open().map((worker) => worker.pause(true)));
      void probe(since).catch((err: unknown) => log.error({ err }, 'database probe stopped'));
    },
  };
}
