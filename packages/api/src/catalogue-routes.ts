import type { Config } from '@rollcall/config';
import { type Db, listForces } from '@rollcall/db';
import { MEASURES } from '@rollcall/measures';
import { csvField } from '@rollcall/publishing';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import { defaultPeriodOf } from './measure-series.ts';
import { Format, parseRequest } from './request-schemas.ts';
import { negotiateFormat, sendAs } from './response-format.ts';
import { documented } from './route-docs.ts';

/**
 * `GET /v1/measures` and `GET /v1/forces` (operations.md, "Catalogues"): the lookup tables a BI
 * model joins the extract to, from the measure catalogue and the reference data rather than
 * typed in by hand. Both as JSON or CSV, columns only ever added at the end.
 */

const FormatQuery = z.strictObject({ format: Format.optional() });

const MeasureListing = z.object({
  id: z.string(),
  title: z.string(),
  feed: z.string(),
  unit: z.string(),
  direction: z.string(),
  definition: z.string(),
  source: z.string().meta({ description: 'The published figure or sentence it reproduces; empty when none' }),
  breakdowns: z
    .array(z.string())
    .meta({ description: 'Keys of the breakdowns published beside the headline; values come from the data' }),
  periods: z.array(z.string()).meta({ description: 'Period kinds the measure is published for' }),
  defaultPeriod: z.string().meta({ description: 'The period a series shows when none is named' }),
  comparable: z.boolean().meta({ description: 'Ranked in the most similar group and against the national band' }),
});
type MeasureListing = z.infer<typeof MeasureListing>;

const ForceListingBody = z.object({
  id: z.string(),
  name: z.string(),
  configured: z.boolean().meta({ description: 'In FORCES: this deployment publishes its snapshots' }),
  mostSimilarGroup: z
    .array(z.object({ id: z.string(), name: z.string() }))
    .meta({ description: 'HMICFRS most similar group, the force itself excluded' }),
});
type ForceListingBody = z.infer<typeof ForceListingBody>;

export const MEASURE_CSV_COLUMNS = [
  'id',
  'title',
  'feed',
  'unit',
  'direction',
  'periods',
  'default_period',
  'breakdowns',
  'comparable',
  'definition',
  'source',
] as const;
export const FORCE_CSV_COLUMNS = ['id', 'name', 'configured', 'most_similar_group'] as const;

const csvOf = (header: readonly string[], rows: readonly (readonly (string | boolean)[])[]): string =>
  `${[header.join(','), ...rows.map((row) => row.map((value) => csvField(typeof value === 'boolean' ? String(value) : value)).join(','))].join('\r\n')}\r\n`;

const MEASURE_LISTINGS: readonly MeasureListing[] = MEASURES.map((measure) => ({
  id: measure.id,
  title: measure.title,
  feed: measure.feed,
  unit: measure.unit,
  direction: measure.direction,
  definition: measure.definition,
  source: measure.source,
  breakdowns: [...(measure.breakdowns ?? [])],
  periods: [...measure.periods],
  defaultPeriod: defaultPeriodOf(measure),
  comparable: measure.comparison !== undefined,
}));

export interface CatalogueRoutesDeps {
  readonly db: Db;
  readonly config: Pick<Config, 'forces'>;
  readonly guard: onRequestAsyncHookHandler;
}

export function registerCatalogueRoutes(app: FastifyInstance, deps: CatalogueRoutesDeps): void {
  app.get(
    '/v1/measures',
    {
      onRequest: deps.guard,
      ...documented({
        summary: 'The measure catalogue',
        tags: ['catalogue'],
        querystring: FormatQuery,
        responses: {
          200: {
            description: 'Every published measure',
            json: z.object({ measures: z.array(MeasureListing) }),
            csv: true,
          },
        },
      }),
    },
    async (request, reply) => {
      const query = parseRequest(FormatQuery, request.query, 'query');
      return sendAs(
        reply,
        negotiateFormat(query.format, request.headers.accept),
        { measures: MEASURE_LISTINGS },
        () => ({
          filename: 'measures.csv',
          text: csvOf(
            MEASURE_CSV_COLUMNS,
            MEASURE_LISTINGS.map((m) => [
              m.id,
              m.title,
              m.feed,
              m.unit,
              m.direction,
              m.periods.join(' '),
              m.defaultPeriod,
              m.breakdowns.join(' '),
              m.comparable,
              m.definition,
              m.source,
            ]),
          ),
        }),
      );
    },
  );

  app.get(
    '/v1/forces',
    {
      onRequest: deps.guard,
      ...documented({
        summary: 'Forces of the reference data, with names and most similar groups',
        tags: ['catalogue'],
        querystring: FormatQuery,
        responses: {
          200: { description: 'Every force', json: z.object({ forces: z.array(ForceListingBody) }), csv: true },
        },
      }),
    },
    async (request, reply) => {
      const query = parseRequest(FormatQuery, request.query, 'query');
      const forces = await listForces(deps.db);
      const names = new Map(forces.map((force) => [force.forceId, force.name]));
      const listings: ForceListingBody[] = forces.map((force) => ({
        id: force.forceId,
        name: force.name,
        configured: deps.config.forces.includes(force.forceId),
        mostSimilarGroup: force.mostSimilarGroup.map((id) => ({ id, name: names.get(id) ?? id })),
      }));
      return sendAs(reply, negotiateFormat(query.format, request.headers.accept), { forces: listings }, () => ({
        filename: 'forces.csv',
        text: csvOf(
          FORCE_CSV_COLUMNS,
          listings.map((force) => [
            force.id,
            force.name,
            force.configured,
            force.mostSimilarGroup.map((member) => member.id).join(' '),
          ]),
        ),
      }));
    },
  );
}
