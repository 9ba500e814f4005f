import type { Config } from '@rollcall/config';
import { MEASURES } from '@rollcall/measures';
import type { FastifyInstance, onRequestAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import { DASHBOARD_SCRIPT, DASHBOARD_STYLE, renderDashboardPage } from './dashboard-page.ts';
import { sendHtml } from './html-page.ts';
import { ForceId, parseRequest } from './request-schemas.ts';

const DashboardQuery = z.strictObject({ forceId: ForceId.optional() });

/** `GET /` (read:snapshots): the dashboard page, with a selector of the configured forces. */
export function registerDashboardRoute(app: FastifyInstance, config: Pick<Config, 'forces'>, guard: onRequestAsyncHookHandler): void {
  app.get('/', { onRequest: guard }, async (request, reply) => {
    const query = parseRequest(DashboardQuery, request.query, 'query');
    const html = renderDashboardPage({ forces: config.forces, selectedForce: query.forceId, measures: MEASURES });
    return sendHtml(reply, html, { style: DASHBOARD_STYLE, script: DASHBOARD_SCRIPT });
  });
}
