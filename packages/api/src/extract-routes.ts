import { type Db, readExtractPage } from '@rollcall/db';
import { MEASURES, type PublishedMeasure } from '@rollcall/measures';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import { badRequest } from './api-error.ts';
import { EXTRACT_COLUMNS, extractRecordOf, extractToCsv } from './extract-table.ts';
import type { ForceScope } from './force-scope.ts';
import { decodeCursor, encodeCursor, setPagingHeaders } from './page-cursor.ts';
import {
  Cursor,
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
 * Rows one page of the extract carries at most, and by default: a year of daily snapshots of one
 * force is about 30,000 rows (rolling 12 months and as-at entries are one row a day each), so a
 * year loads in one request, and a longer range pages.
 */
export const MAX_EXTRACT_ROWS = 50_000;

const LIMIT_MESSAGE = `must be a whole number from 1 to ${MAX_EXTRACT_ROWS}`;
const commaList = (item: z.ZodString) =>
  z
    .string()
    .max(4_000, 'must be at most 4000 characters')
    .transform((text) => text.split(','))
    .pipe(z.array(item).min(1));

const ExtractQuerySchema = z
  .strictObject({
    forceId: ForceId.optional().meta({
      description: 'Whose figures; see "Which force a request is about" in operations.md',
    }),
    from: LocalDateParam.optional().meta({ description: 'First snapshot date (inclusive)' }),
    to: LocalDateParam.optional().meta({ description: 'Last snapshot date (inclusive)' }),
    measureId: commaList(MeasureId)
      .optional()
      .meta({ description: 'Only these measures, comma-separated ids of GET /v1/measures' }),
    period: commaList(PeriodId).optional().meta({
      description: 'Only these periods, comma-separated: month, rolling-12m, financial-year, as-at, custom:<id>',
    }),
    revisions: z
      .enum(['latest', 'all'], { error: 'must be latest or all' })
      .optional()
      .meta({
        description:
          'latest (default): the head revision; ' +
          'all: every revision of the snapshot each row comes from (is_latest_revision tells them apart)',
      }),
    limit: z
      .string()
      .regex(/^\d{1,5}$/, LIMIT_MESSAGE)
      .transform(Number)
      .pipe(z.number().min(1, LIMIT_MESSAGE).max(MAX_EXTRACT_ROWS, LIMIT_MESSAGE))
      .optional()
      .meta({ description: `Rows per page, default and most ${MAX_EXTRACT_ROWS}` }),
    cursor: Cursor.optional().meta({ description: 'nextCursor of the previous page' }),
    format: Format.optional(),
  })
  .refine(dateRangeIsOrdered, DATE_RANGE_MESSAGE);

const ExtractPosition = z.strictObject({
  forceId: z.string().max(64),
  measureId: z.string().max(100),
  periodId: z.string().max(60),
  periodStart: z.string().max(10),
  breakdown: z.string().max(2_000),
  revision: z.number().int().min(1),
});

const cell = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const ExtractBody = z.object({
  forceId: z.string(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  total: z.number().int().meta({ description: 'Rows of every page together' }),
  count: z.number().int().meta({ description: 'Rows on this page' }),
  nextCursor: z.string().nullable().meta({ description: 'Pass as ?cursor= for the next page; null on the last page' }),
  columns: z.array(z.string()).meta({ description: 'The keys of each row, in the CSV column order' }),
  rows: z.array(z.record(z.string(), cell)),
});

export interface ExtractRoutesDeps {
  readonly db: Db;
  readonly forces: ForceScope;
  readonly guard: onRequestAsyncHookHandler;
}

const MEASURE_IDS = MEASURES.map((measure) => measure.id);

/** `GET /v1/extract` (operations.md, "Extract for BI tools"). */
export function registerExtractRoutes(app: FastifyInstance, deps: ExtractRoutesDeps): void {
  app.get(
    '/v1/extract',
    {
      onRequest: deps.guard,
      ...documented({
        summary: 'Every published figure of a force between two dates, one row per measure, period and breakdown',
        description:
          'A period is one row however many snapshots published it: a month comes from the snapshot ' +
          'that covers most of it (`period_complete` false while it is month to date). ' +
          `Columns (CSV order, JSON keys): ${EXTRACT_COLUMNS.join(', ')}. ` +
          'Paged: total and nextCursor (CSV: X-Total-Count, X-Next-Cursor and Link headers).',
        tags: ['data'],
        querystring: ExtractQuerySchema,
        responses: {
          200: {
            description: 'One page of the extract',
            json: ExtractBody,
            csv: true,
            headers: {
              'X-Total-Count': 'Rows of every page',
              'X-Next-Cursor': 'Cursor of the next page, absent on the last',
            },
          },
        },
      }),
    },
    async (request, reply) => {
      const query = parseRequest(ExtractQuerySchema, request.query, 'query');
      const unknown = (query.measureId ?? []).filter((id) => !MEASURE_IDS.includes(id));
      if (unknown.length > 0) {
        const message = `unknown measure ${unknown.join(', ')}; measures: ${MEASURE_IDS.join(', ')}`;
        throw badRequest(`invalid query parameters: measureId: ${message}`, [
          { in: 'query', path: 'measureId', message },
        ]);
      }
      const forceId = await deps.forces.resolve(request, query.forceId);
      const limit = query.limit ?? MAX_EXTRACT_ROWS;
      const page = await readExtractPage<PublishedMeasure>(deps.db, {
        forceIds: [forceId],
        from: query.from ?? '0001-01-01',
        to: query.to ?? '9999-12-31',
        ...(query.measureId && { measureIds: query.measureId }),
        ...(query.period && { periodIds: query.period }),
        allRevisions: query.revisions === 'all',
        limit: limit + 1,
        ...(query.cursor !== undefined && { after: decodeCursor(ExtractPosition, query.cursor) }),
      });
      const rows = page.rows.slice(0, limit);
      const last = rows.at(-1);
      const nextCursor = page.rows.length > limit && last ? encodeCursor(last.position) : null;
      const records = rows.map(extractRecordOf);
      setPagingHeaders(reply, request, { total: page.total, nextCursor });
      const body = {
        forceId,
        from: query.from ?? null,
        to: query.to ?? null,
        total: page.total,
        count: records.length,
        nextCursor,
        columns: EXTRACT_COLUMNS,
        rows: records,
      };
      const filename = [
        'extract',
        forceId,
        ...(query.from ? [`from-${query.from}`] : []),
        ...(query.to ? [`to-${query.to}`] : []),
      ].join('_');
      return sendAs(reply, negotiateFormat(query.format, request.headers.accept), body, () => ({
        filename: `${filename}.csv`,
        text: extractToCsv(records),
      }));
    },
  );
}
