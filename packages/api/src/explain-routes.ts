import { type Db, findSnapshot } from '@rollcall/db';
import {
  admitSnapshots,
  explainEntry,
  ExplainInputError,
  ExplainNotFoundError,
  snapshotReaderOf,
} from '@rollcall/publishing';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import { badRequest, notFound } from './api-error.ts';
import type { ForceScope } from './force-scope.ts';
import { BreakdownParam, MeasureId, parseRequest, PeriodId, SnapshotId } from './request-schemas.ts';

const ExplainParams = z.strictObject({ snapshotId: SnapshotId });
const ExplainQuery = z.strictObject({
  measureId: MeasureId,
  period: PeriodId.optional(),
  breakdown: BreakdownParam.optional(),
});

export interface ExplainRoutesDeps {
  readonly db: Db;
  readonly forces: ForceScope;
  readonly guard: onRequestAsyncHookHandler;
  /** The clock release control judges embargoes by; tests inject one. */
  readonly now?: () => Date;
}

/**
 * `GET /v1/snapshots/:snapshotId/explain?measureId=...&period=...&breakdown=k=v;k2=v2`: one entry
 * of a published snapshot with its definition and the daily aggregate rows it is derived from
 * (`explainEntry`, operations.md). Unknown snapshot: 404; a measure, period or breakdown the
 * snapshot does not have: 400 naming the valid ones.
 */
export function registerExplainRoutes(app: FastifyInstance, deps: ExplainRoutesDeps): void {
  app.get('/v1/snapshots/:snapshotId/explain', { onRequest: deps.guard }, async (request) => {
    const { snapshotId } = parseRequest(ExplainParams, request.params, 'params');
    const query = parseRequest(ExplainQuery, request.query, 'query');
    // A snapshot id starts with its force (`<forceId>_<asOf>_r<n>`, SnapshotId's pattern).
    deps.forces.check(request, snapshotId.slice(0, snapshotId.indexOf('_')));
    const reader = snapshotReaderOf(
      request.principal,
      (deps.now ?? (() => new Date()))(),
      `${request.method} ${request.url}`,
    );
    const found = await findSnapshot(deps.db, snapshotId);
    if (found && (await admitSnapshots(deps.db, reader, [found])).length === 0)
      throw notFound(`no snapshot ${snapshotId}`);
    const breakdown =
      query.breakdown === undefined
        ? null
        : Object.fromEntries(query.breakdown.split(';').map((pair) => pair.split('=') as [string, string]));
    try {
      return await explainEntry(deps.db, { snapshotId, measureId: query.measureId, periodId: query.period, breakdown });
    } catch (error) {
      if (error instanceof ExplainNotFoundError) throw notFound(error.message);
      if (error instanceof ExplainInputError) {
        throw badRequest(`invalid query parameters: ${error.message}`, [
          { in: 'query', path: error.parameter, message: error.message.slice(error.message.indexOf(': ') + 2) },
        ]);
      }
      throw error;
    }
  });
}
