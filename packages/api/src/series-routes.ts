import type { Config } from '@rollcall/config';
import type { Db } from '@rollcall/db';
import { measureById } from '@rollcall/measures';
import { admitSnapshots, snapshotReaderOf } from '@rollcall/publishing';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import { badRequest, notFound } from './api-error.ts';
import { buildMeasureSeries, defaultPeriodOf, isPublishedPeriod, measureSeriesToCsv, type SeriesQuery } from './measure-series.ts';
import { hasPublishedSnapshot, readSeriesEntries } from './series-entries.repository.ts';
import { BreakdownParam, DATE_RANGE_MESSAGE, dateRangeIsOrdered, ForceId, Format, LocalDateParam, MeasureId, parseRequest, PeriodId } from './request-schemas.ts';
import { negotiateFormat, sendAs } from './response-format.ts';
import { resolveForceId } from './snapshot-routes.ts';

/**
 * Most points one response carries: a daily series of about 2¾ years. A longer range is refused
 * with a 400 rather than cut short, since a chart silently missing its newest days misleads.
 */
export const MAX_SERIES_POINTS = 1_000;

const SeriesParams = z.strictObject({ measureId: MeasureId });
const SeriesQuerySchema = z
  .strictObject({
    forceId: ForceId.optional(),
    from: LocalDateParam.optional(),
    to: LocalDateParam.optional(),
    period: PeriodId.optional(),
    breakdown: BreakdownParam.optional(),
    format: Format.optional(),
  })
  .refine(dateRangeIsOrdered, DATE_RANGE_MESSAGE);

export interface SeriesRoutesDeps {
  readonly db: Db;
  readonly config: Pick<Config, 'forces'>;
  readonly guard: onRequestAsyncHookHandler;
  /** The clock release control judges embargoes by; tests inject one. */
  readonly now?: () => Date;
}

/** `GET /v1/measures/:measureId/series` (operations.md): one measure across snapshots, for charts. */
export function registerSeriesRoutes(app: FastifyInstance, deps: SeriesRoutesDeps): void {
  app.get('/v1/measures/:measureId/series', { onRequest: deps.guard }, async (request, reply) => {
    const { measureId } = parseRequest(SeriesParams, request.params, 'params');
    const query = parseRequest(SeriesQuerySchema, request.query, 'query');
    const definition = measureById(measureId);
    if (definition === undefined) throw notFound(`no measure ${measureId}`);
    const periodId = query.period ?? defaultPeriodOf(definition);
    if (!isPublishedPeriod(definition, periodId)) {
      const message = `${measureId} is published for ${definition.periods.join(', ')}`;
      throw badRequest(`invalid query parameters: period: ${message}`, [{ in: 'query', path: 'period', message }]);
    }
    const forceId = resolveForceId(query.forceId, deps.config.forces);

    const reader = snapshotReaderOf(request.principal, (deps.now ?? (() => new Date()))(), `${request.method} ${request.url}`);
    const snapshots = await admitSnapshots(deps.db, reader, await readSeriesEntries(deps.db, {
      forceId,
      measureId,
      periodId,
      breakdown: query.breakdown ?? '',
      ...(query.from !== undefined && { from: query.from }),
      ...(query.to !== undefined && { to: query.to }),
      limit: MAX_SERIES_POINTS + 1,
    }));
    if (snapshots.length > MAX_SERIES_POINTS) {
      const message = `more than ${MAX_SERIES_POINTS} snapshots in the range; narrow it with from and to`;
      throw badRequest(`invalid query parameters: from: ${message}`, [{ in: 'query', path: 'from', message }]);
    }
    if (snapshots.length === 0 && !(await hasPublishedSnapshot(deps.db, forceId))) {
      throw notFound(`no snapshot has been published for force ${forceId}`);
    }

    const seriesQuery: SeriesQuery = {
      measure: definition,
      forceId,
      periodId,
      breakdown: query.breakdown ?? null,
      from: query.from ?? null,
      to: query.to ?? null,
    };
    return sendAs(reply, negotiateFormat(query.format, request.headers.accept), buildMeasureSeries(snapshots, seriesQuery), () => ({
      filename: `${forceId}_${measureId}_${periodId}${query.from ? `_from-${query.from}` : ''}${query.to ? `_to-${query.to}` : ''}.csv`,
      text: measureSeriesToCsv(snapshots, seriesQuery),
    }));
  });
}
