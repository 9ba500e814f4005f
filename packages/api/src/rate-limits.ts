import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from './api-error.ts';

/** Requests a minute from one client address (`request.ip`), per API process. */
export interface RateLimits {
  /** `POST /login`: each is a guess at a token when it fails. */
  readonly loginPerMinute: number;
  /** Every other route but `/health` and `/ready`. */
  readonly apiPerMinute: number;
}

/**
 * 20 logins a minute lets an office behind one address (NAT) log in at a shift change, since a
 * login lasts 12 hours, and makes guessing a 256-bit token even more hopeless than it is. 600
 * requests a minute (10 a second) is far above a person on the dashboard or bull-board (a page
 * and its assets, then bull-board polling every few seconds) and a script reading snapshots, and
 * bounds what one client can make PostgreSQL do.
 */
export const DEFAULT_RATE_LIMITS: RateLimits = { loginPerMinute: 20, apiPerMinute: 600 };

const WINDOW_MS = 60_000;

/** Load balancers and orchestrators probe these, often from one address: never limited. */
const UNLIMITED_PATHS = new Set(['/health', '/ready']);

type Bucket = 'login' | 'api';

const bucketOf = (request: FastifyRequest): Bucket =>
  request.method === 'POST' && request.routeOptions.url === '/login' ? 'login' : 'api';

/**
 * Limits every request but `/health` and `/ready` with @fastify/rate-limit: one counter per
 * client address for login attempts and one for everything else, so a burst of dashboard requests
 * never locks a person out of logging in, nor the reverse. The limiter is a root `onRequest` hook,
 * not the plugin's per-route one: that one runs after a route's own `onRequest` guard, so requests
 * without a valid token (401, 403), the likeliest flood, would never be counted. Unknown routes
 * (404) count too.
 *
 * Counters live in this process's memory, so with N API processes behind a balancer a client may
 * make up to N times the limit; that is accepted rather than making every request wait on Redis.
 * Behind a reverse proxy `request.ip` is the proxy's address unless `trustProxy` names it (see
 * ApiDeps.trustProxy), and every client then shares one counter. Over the limit: 429
 * `too_many_requests` with `Retry-After`. Call before the routes are declared.
 */
export function registerRateLimits(app: FastifyInstance, limits: RateLimits): void {
  const maxOf = (bucket: Bucket): number => (bucket === 'login' ? limits.loginPerMinute : limits.apiPerMinute);
  void app.register(rateLimit, { global: false });
  app.after(() => {
    app.addHook(
      'onRequest',
      app.rateLimit({
        timeWindow: WINDOW_MS,
        keyGenerator: (request) => `${bucketOf(request)}:${request.ip}`,
        max: (request) => maxOf(bucketOf(request)),
        allowList: (request) => UNLIMITED_PATHS.has(request.routeOptions.url ?? ''),
        errorResponseBuilder: (request, context) => {
          const bucket = bucketOf(request);
          const what = bucket === 'login' ? 'login attempts' : 'requests';
          const seconds = Math.max(1, Math.ceil(context.ttl / 1_000));
          return new ApiError(
            429,
            'too_many_requests',
            `at most ${maxOf(bucket)} ${what} a minute from one address; retry in ${seconds} s`,
          );
        },
      }),
    );
  });
}
