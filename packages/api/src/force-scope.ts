import type { Config } from '@rollcall/config';
import { type Db, readForceIds } from '@rollcall/db';
import type { FastifyRequest } from 'fastify';
import { ApiError, badRequest } from './api-error.ts';

/**
 * Which force a request is about (operations.md, "Which force a request is about"):
 *
 * 1. `forceId` when given. It must be a force of the reference data (else 400 naming the
 *    configured forces), and one the token may read when its API_TOKENS entry lists `forces`
 *    (else 403).
 * 2. Otherwise the token's only force, when its entry lists exactly one: a BI report keeps
 *    working when a second force is added to FORCES, because its token says whose data it reads.
 * 3. Otherwise the only configured force (a single-force deployment need not repeat it).
 * 4. Otherwise a 400 listing the forces to choose from.
 */

/** Reference forces change with a reference data release; a minute's staleness costs nothing. */
const KNOWN_FORCES_TTL_MS = 60_000;

export interface ForceScope {
  /** The force of the request, or an ApiError (400/403) saying which forces may be named. */
  resolve(request: FastifyRequest, requested: string | undefined): Promise<string>;
  /** Refuses (403) a force the request's token may not read: for routes that name it in a path. */
  check(request: FastifyRequest, forceId: string): void;
}

const forceParameterError = (message: string): ApiError =>
  badRequest(`invalid query parameters: forceId: ${message}`, [{ in: 'query', path: 'forceId', message }]);

export function createForceScope(db: Db, config: Pick<Config, 'forces'>): ForceScope {
  let known: { readonly ids: Promise<Set<string>>; readonly at: number } | undefined;
  const knownForces = (): Promise<Set<string>> => {
    if (known === undefined || Date.now() - known.at > KNOWN_FORCES_TTL_MS) {
      const ids = readForceIds(db);
      known = { ids, at: Date.now() };
      // A failed read is not cached: the next request asks again.
      ids.catch(() => {
        known = undefined;
      });
    }
    return known.ids;
  };

  const check = (request: FastifyRequest, forceId: string): void => {
    const allowed = request.principal?.forces;
    if (allowed && !allowed.includes(forceId)) {
      throw new ApiError(403, 'forbidden', `this token reads the data of ${allowed.join(', ')} only, not ${forceId}`);
    }
  };

  return {
    check,
    async resolve(request, requested) {
      if (requested !== undefined) {
        if (!(await knownForces()).has(requested)) {
          throw forceParameterError(
            `unknown force ${requested}; configured forces: ${config.forces.join(', ')} (GET /v1/forces lists them with names)`,
          );
        }
        check(request, requested);
        return requested;
      }
      const tokenForces = request.principal?.forces;
      if (tokenForces?.length === 1 && tokenForces[0] !== undefined) return tokenForces[0];
      if (tokenForces === null || tokenForces === undefined) {
        if (config.forces.length === 1 && config.forces[0] !== undefined) return config.forces[0];
        throw forceParameterError(`required when several forces are configured (${config.forces.join(', ')})`);
      }
      throw forceParameterError(`required: this token reads several forces (${tokenForces.join(', ')})`);
    },
  };
}
