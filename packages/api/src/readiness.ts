import { type Db, pendingMigrations, pingDatabase } from '@rollcall/db';
import { type QueueConnection, redisOf, waitForQueueConnection } from '@rollcall/queue';
import type { Logger } from '@rollcall/logger';
import { TimeoutError, withTimeout } from './with-timeout.ts';

/** `redis` when the queues are in Redis, `queues` when they are in PostgreSQL (QUEUE_BACKEND). */
export type ReadinessCheckName = 'redis' | 'queues' | 'postgres' | 'migrations';

export interface ReadinessCheck {
  readonly check: ReadinessCheckName;
  readonly ok: boolean;
  readonly ms: number;
  /** Why it failed, in words safe for a public probe: no addresses, no driver messages. */
  readonly message?: string;
}

export interface Readiness {
  readonly ready: boolean;
  readonly checks: readonly ReadinessCheck[];
}

export interface ReadinessDeps {
  /** Where the queues are: Redis, or the PostgreSQL queue store. */
  readonly queueConnection: QueueConnection;
  readonly db: Db;
  readonly log: Logger;
}

/**
 * Default per-check limit, in milliseconds: a healthy PostgreSQL under load answers `select 1` in
 * well under that, and a dead Redis or a black-holed database cannot hold the probe longer. The
 * checks run at once, so the probe answers within about 2 s: give the orchestrator's probe a
 * timeout of 3 s or more (Kubernetes' `timeoutSeconds` defaults to 1).
 */
export const READINESS_TIMEOUT_MS = 2_000;

async function runCheck(
  check: ReadinessCheckName,
  timeoutMs: number,
  log: Logger,
  probe: () => Promise<string | undefined>,
  failure: string,
): Promise<ReadinessCheck> {
  const started = performance.now();
  const elapsed = (): number => Math.round(performance.now() - started);
  try {
    const problem = await withTimeout(probe(), timeoutMs);
    return problem === undefined
      ? { check, ok: true, ms: elapsed() }
      : { check, ok: false, ms: elapsed(), message: problem };
  } catch (err) {
    log.warn({ err, check }, 'readiness check failed');
    return {
      check,
      ok: false,
      ms: elapsed(),
      message: err instanceof TimeoutError ? `${failure}: ${err.message}` : failure,
    };
  }
}

/**
 * `/ready` (operations.md): Redis answers PING, PostgreSQL answers `select 1`, and no migration is
 * pending. The three run at once, each bounded by `timeoutMs`, so the probe answers within about
 * that time whatever is down.
 */
export async function checkReadiness(deps: ReadinessDeps, timeoutMs = READINESS_TIMEOUT_MS): Promise<Readiness> {
  const redis = redisOf(deps.queueConnection);
  const checks = await Promise.all([
    redis
      ? runCheck(
          'redis',
          timeoutMs,
          deps.log,
          async () => ((await redis.ping()) === 'PONG' ? undefined : 'Redis answered PING unexpectedly'),
          'Redis did not answer PING',
        )
      : runCheck(
          'queues',
          timeoutMs,
          deps.log,
          async () => {
            await waitForQueueConnection(deps.queueConnection, timeoutMs);
            return undefined;
          },
          'the PostgreSQL queues did not answer',
        ),
    runCheck(
      'postgres',
      timeoutMs,
      deps.log,
      async () => {
        await pingDatabase(deps.db);
        return undefined;
      },
      'PostgreSQL did not answer select 1',
    ),
    runCheck(
      'migrations',
      timeoutMs,
      deps.log,
      async () => {
        const pending = await pendingMigrations(deps.db);
        return pending.length === 0
          ? undefined
          : `${pending.length} migration(s) pending: ${pending.join(', ')} (run rollcall migrate)`;
      },
      'could not read the applied migrations',
    ),
  ]);
  return { ready: checks.every((check) => check.ok), checks };
}
