import { type Db, hasPublishedSnapshot, listPublishedBreakdowns, readSeriesEntries } from '@rollcall/db';
import { measureById, type PublishedMeasure } from '@rollcall/measures';
import { admitSnapshots, snapshotReaderOf } from '@rollcall/publishing';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import { badRequest, notFound } from './api-error.ts';
import type { ForceScope } from './force-scope.ts';
import {
  buildMeasureSeries,
  defaultPeriodOf,
  isPublishedPeriod,
  measureSeriesToCsv,
  type SeriesEntry,
  type SeriesQuery,
} from './measure-series.ts';
import {
  BreakdownParam,
  DATE_RANGE_MESSAGE,
  dateRangeIsOrdered,
  ForceId,
  Format,
  LocalDateParam,
  MeasureId,
  parseRequest,
  PeriodId,
} from './request-schemas.ts';
import { negotiateFormat, sendAs } from './response-format.ts';
import { documented } from './route-docs.ts';

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
  readonly forces: ForceScope;
  readonly guard: onRequestAsyncHookHandler;
  /** The clock release control judges embargoes by; tests inject one. */
  readonly now?: () => Date;
}

const parameterError = (path: string, message: string) =>
  badRequest(`invalid query parameters: ${path}: ${message}`, [{ in: 'query', path, message }]);

/** `GET /v1/measures/:measureId/series` (operations.md): one measure across snapshots, for charts. */
export function registerSeriesRoutes(app: FastifyInstance, deps: SeriesRoutesDeps): void {
  app.get(
    '/v1/measures/:measureId/series',
    {
      onRequest: deps.guard,
      ...documented({
        summary: 'One measure across the head revisions of a force’s snapshots, oldest first',
        description:
          'One point per snapshot date. `period` defaults to rolling-12m (as-at for stock measures); `breakdown` is key=value pairs joined by `;`. ' +
          'A breakdown the measure is never published for is a 400 listing the published ones.',
        tags: ['data'],
        params: SeriesParams,
        querystring: SeriesQuerySchema,
        responses: {
          200: { description: 'The series', json: true, csv: true },
          404: { description: 'Unknown measure, or no snapshot for the force', json: true },
        },
      }),
    },
    async (request, reply) => {
      const { measureId } = parseRequest(SeriesParams, request.params, 'params');
      const query = parseRequest(SeriesQuerySchema, request.query, 'query');
      const definition = measureById(measureId);
      if (definition === undefined) throw notFound(`no measure ${measureId}`);
      const periodId = query.period ?? defaultPeriodOf(definition);
      if (!isPublishedPeriod(definition, periodId))
        throw parameterError('period', `${measureId} is published for ${definition.periods.join(', ')}`);
      const forceId = await deps.forces.resolve(request, query.forceId);

      const reader = snapshotReaderOf(
        request.principal,
        (deps.now ?? (() => new Date()))(),
        `${request.method} ${request.url}`,
      );
      const snapshots: SeriesEntry[] = await admitSnapshots(
        deps.db,
        reader,
        await readSeriesEntries<PublishedMeasure>(deps.db, {
          forceId,
          measureId,
          periodId,
          breakdown: query.breakdown ?? '',
          ...(query.from !== undefined && { from: query.from }),
          ...(query.to !== undefined && { to: query.to }),
          limit: MAX_SERIES_POINTS + 1,
        }),
      );
      if (snapshots.length > MAX_SERIES_POINTS)
        throw parameterError(
          'from',
          `more than ${MAX_SERIES_POINTS} snapshots in the range; narrow it with from and to`,
        );
      if (snapshots.length === 0 && !(await hasPublishedSnapshot(deps.db, forceId))) {
        throw notFound(`no snapshot has been published for force ${forceId}`);
      }
      if (
        query.breakdown !== undefined &&
        snapshots.length > 0 &&
        snapshots.every((snapshot) => snapshot.entry === null)
      ) {
        // Not one point: a typo, or a breakdown of another measure. Gaps are kept for a breakdown
        // the force has published on other dates (a team that had no circulations then).
        const published = await listPublishedBreakdowns(deps.db, { forceId, measureId, periodId });
        if (!published.includes(query.breakdown)) {
          throw parameterError(
            'breakdown',
            published.length === 0
              ? `${measureId} (${periodId}) is published without breakdowns for ${forceId}; leave breakdown out`
              : `${query.breakdown} is not a breakdown of ${measureId} (${periodId}); published: ${published.join(', ')}`,
          );
        }
      }

      const seriesQuery: SeriesQuery = {
        measure: definition,
        forceId,
        periodId,
        breakdown: query.breakdown ?? null,
        from: query.from ?? null,
        to: query.to ?? null,
      };
      return sendAs(
        reply,
        negotiateFormat(query.format, request.headers.accept),
        buildMeasureSeries(snapshots, seriesQuery),
        () => ({
          filename: `${forceId}_${measureId}_${periodId}${query.from ? `_from-${query.from}` : ''}${query.to ? `_to-${query.to}` : ''}.csv`,
          text: measureSeriesToCsv(snapshots, seriesQuery),
        }),
      );
    },
  );
}
