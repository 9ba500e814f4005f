import type { Config } from '@rollcall/config';
import { dashboardAssets } from '@rollcall/dashboard';
import type { Db } from '@rollcall/db';
import { measureById, MEASURES, type MeasureDefinition } from '@rollcall/measures';
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import { badRequest, notFound } from './api-error.ts';
import { loadLive, loadMeasurePage, loadReport, loadScorecard, viewContextOf } from './dashboard-data.ts';
import { type DashboardView, renderDashboardPage } from './dashboard-page.ts';
import { sendAppPage } from './html-page.ts';
import { csrfTokenFor } from './login-csrf.ts';
import { ForceId, MeasureId, parseRequest } from './request-schemas.ts';

const ForceQuery = z.strictObject({ forceId: ForceId.optional() });
const MeasureParams = z.strictObject({ measureId: MeasureId });

/** The force a page shows: the one asked for, which must be configured, or the first configured. */
function dashboardForceOf(forceId: string | undefined, forces: readonly string[]): string {
  const chosen = forceId ?? forces[0];
  if (chosen === undefined || !forces.includes(chosen)) {
    const message = `must be one of the configured forces (${forces.join(', ')})`;
    throw badRequest(`invalid query parameters: forceId: ${message}`, [{ in: 'query', path: 'forceId', message }]);
  }
  return chosen;
}

function measureOf(measureId: string): MeasureDefinition {
  const definition = measureById(measureId);
  if (definition === undefined)
    throw notFound(
      `no measure ${measureId}; the catalogue has ${MEASURES.length} measures (GET /v1/measures or docs/measures.md)`,
    );
  return definition;
}

const isAdmin = (request: FastifyRequest) => request.principal?.scopes.includes('admin') ?? false;

export interface DashboardRouteDeps {
  readonly db: Db;
  readonly config: Pick<Config, 'forces' | 'suppressMaxCount'>;
  /** read:snapshots for API clients (data routes). */
  readonly guard: onRequestAsyncHookHandler;
  /** read:snapshots, sending a browser without a login to /login (pages). */
  readonly pageGuard: onRequestAsyncHookHandler;
  readonly now?: () => Date;
}

const ONE_YEAR_SECONDS = 31_536_000;

/**
 * The dashboard (operations.md, "Dashboard"): pages `/` (scorecard), `/measures/:measureId`,
 * `/live` and `/report`, each drawn from one request to `/dashboard/data/<view>`; the built
 * script and style under `/dashboard/assets/`, public (they hold no data) and cached for a year
 * under a content-hashed name.
 */
export function registerDashboardRoutes(app: FastifyInstance, deps: DashboardRouteDeps): void {
  const now = deps.now ?? (() => new Date());

  app.get('/dashboard/assets/:name', async (request, reply) => {
    const { name } = request.params as { name: string };
    const assets = await dashboardAssets();
    reply.header('cache-control', `public, max-age=${ONE_YEAR_SECONDS}, immutable`);
    if (name === `app.${assets.scriptVersion}.js`)
      return reply.type('text/javascript; charset=utf-8').send(assets.script);
    if (name === `app.${assets.styleVersion}.css`) return reply.type('text/css; charset=utf-8').send(assets.style);
    reply.header('cache-control', 'no-store');
    throw notFound(`no dashboard asset ${name.slice(0, 60)}`);
  });

  const page = (
    path: string,
    view: DashboardView,
    title: (request: FastifyRequest) => string,
    measureOfRequest?: (request: FastifyRequest) => string,
  ) => {
    app.get(path, { onRequest: deps.pageGuard }, async (request, reply) => {
      const query = parseRequest(ForceQuery, request.query, 'query');
      const measureId = measureOfRequest?.(request);
      const forceId = dashboardForceOf(query.forceId, deps.config.forces);
      const [context, assets] = await Promise.all([
        viewContextOf(deps.db, deps.config, forceId, isAdmin(request)),
        dashboardAssets(),
      ]);
      const html = renderDashboardPage({
        view,
        title: title(request),
        force: context.force,
        forces: context.forces,
        admin: context.admin,
        measureId,
        csrf: csrfTokenFor(request, reply),
        scriptUrl: `/dashboard/assets/app.${assets.scriptVersion}.js`,
        styleUrl: `/dashboard/assets/app.${assets.styleVersion}.css`,
      });
      return sendAppPage(reply, html);
    });
  };
  const measureParam = (request: FastifyRequest) =>
    measureOf(parseRequest(MeasureParams, request.params, 'params').measureId).id;
  page('/', 'scorecard', () => 'Scorecard');
  page(
    '/measures/:measureId',
    'measure',
    (request) => measureOf(parseRequest(MeasureParams, request.params, 'params').measureId).title,
    measureParam,
  );
  page('/live', 'live', () => 'Live calls');
  page('/report', 'report', () => 'Performance report');

  const contextOf = async (request: FastifyRequest) => {
    const query = parseRequest(ForceQuery, request.query, 'query');
    return viewContextOf(deps.db, deps.config, dashboardForceOf(query.forceId, deps.config.forces), isAdmin(request));
  };
  app.get('/dashboard/data/scorecard', { onRequest: deps.guard }, async (request) =>
    loadScorecard(deps.db, await contextOf(request)),
  );
  app.get('/dashboard/data/report', { onRequest: deps.guard }, async (request) =>
    loadReport(deps.db, await contextOf(request)),
  );
  app.get('/dashboard/data/measures/:measureId', { onRequest: deps.guard }, async (request) => {
    const definition = measureOf(parseRequest(MeasureParams, request.params, 'params').measureId);
    return loadMeasurePage(deps.db, await contextOf(request), definition);
  });
  app.get('/dashboard/data/live', { onRequest: deps.guard }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const exact = request.principal?.scopes.includes('read:ops') ?? false;
    return loadLive(deps.db, await contextOf(request), {
      now: now(),
      suppressMaxCount: deps.config.suppressMaxCount,
      exact,
    });
  });
}
