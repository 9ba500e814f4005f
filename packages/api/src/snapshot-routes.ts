import type { Config } from '@rollcall/config';
import { type Db, findLatestSnapshot, findSnapshot, listSnapshots, type SnapshotListItem } from '@rollcall/db';
import { admitSnapshots, csvField, snapshotReaderOf, snapshotToCsv, visibilityFor } from '@rollcall/publishing';
import type { FastifyInstance, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import { badRequest, notFound } from './api-error.ts';
import { DATE_RANGE_MESSAGE, dateRangeIsOrdered, ForceId, Format, LocalDateParam, parseRequest, SnapshotId } from './request-schemas.ts';
import { negotiateFormat, sendAs } from './response-format.ts';
import { documentOf } from './stored-document.ts';

/**
 * The force a request is about: as given, or the only configured force when there is one (a
 * single-force deployment need not repeat it); with several, it must be given.
 */
export function resolveForceId(forceId: string | undefined, forces: readonly string[]): string {
  if (forceId !== undefined) return forceId;
  if (forces.length === 1 && forces[0] !== undefined) return forces[0];
  throw badRequest(`invalid query parameters: forceId: required when several forces are configured (${forces.join(', ')})`, [
    { in: 'query', path: 'forceId', message: `required when several forces are configured (${forces.join(', ')})` },
  ]);
}

/** Columns of the list as CSV; like the snapshot CSV, only ever added to at the end. */
export const SNAPSHOT_LIST_CSV_COLUMNS = ['snapshot_id', 'force_id', 'as_of', 'revision', 'supersedes', 'generated_at', 'is_latest_revision'] as const;

export function snapshotListToCsv(items: readonly SnapshotListItem[]): string {
  const rows = items.map((item) =>
    [item.snapshotId, item.forceId, item.asOf, item.revision, item.supersedes, item.generatedAt.toISOString(), item.isLatestRevision ? 'true' : 'false']
      .map(csvField)
      .join(','),
  );
  return `${[SNAPSHOT_LIST_CSV_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}

const LatestQuery = z.strictObject({ forceId: ForceId.optional(), format: Format.optional() });
const SnapshotParams = z.strictObject({ snapshotId: SnapshotId });
const FormatQuery = z.strictObject({ format: Format.optional() });
const Limit = z
  .string()
  .regex(/^\d{1,4}$/, 'must be a whole number from 1 to 1000')
  .transform(Number)
  .pipe(z.number().min(1, 'must be a whole number from 1 to 1000').max(1_000, 'must be a whole number from 1 to 1000'));
const ListQuery = z
  .strictObject({ forceId: ForceId.optional(), from: LocalDateParam.optional(), to: LocalDateParam.optional(), limit: Limit.optional(), format: Format.optional() })
  .refine(dateRangeIsOrdered, DATE_RANGE_MESSAGE);

export interface SnapshotRoutesDeps {
  readonly db: Db;
  readonly config: Pick<Config, 'forces'>;
  readonly guard: onRequestAsyncHookHandler;
  /** The clock release control judges embargoes by; tests inject one. */
  readonly now?: () => Date;
}

/** `/v1/snapshots/latest`, `/v1/snapshots/:snapshotId` and `/v1/snapshots` (operations.md). */
export function registerSnapshotRoutes(app: FastifyInstance, deps: SnapshotRoutesDeps): void {
  const { db, guard } = deps;
  const readerOf = (request: FastifyRequest) => snapshotReaderOf(request.principal, (deps.now ?? (() => new Date()))(), `${request.method} ${request.url}`);

  app.get('/v1/snapshots/latest', { onRequest: guard }, async (request, reply) => {
    const query = parseRequest(LatestQuery, request.query, 'query');
    const forceId = resolveForceId(query.forceId, deps.config.forces);
    const reader = readerOf(request);
    const [snapshot] = await admitSnapshots(db, reader, [await findLatestSnapshot(db, forceId, visibilityFor(reader))].filter((found) => found !== undefined));
    if (snapshot === undefined) throw notFound(`no snapshot has been published for force ${forceId}`);
    const document = documentOf(snapshot);
    return sendAs(reply, negotiateFormat(query.format, request.headers.accept), document, () => ({
      filename: `${document.snapshotId}.csv`,
      text: snapshotToCsv(document),
    }));
  });

  app.get('/v1/snapshots/:snapshotId', { onRequest: guard }, async (request, reply) => {
    const { snapshotId } = parseRequest(SnapshotParams, request.params, 'params');
    const query = parseRequest(FormatQuery, request.query, 'query');
    const [snapshot] = await admitSnapshots(db, readerOf(request), [await findSnapshot(db, snapshotId)].filter((found) => found !== undefined));
    if (snapshot === undefined) throw notFound(`no snapshot ${snapshotId}`);
    const document = documentOf(snapshot);
    return sendAs(reply, negotiateFormat(query.format, request.headers.accept), document, () => ({
      filename: `${document.snapshotId}.csv`,
      text: snapshotToCsv(document),
    }));
  });

  app.get('/v1/snapshots', { onRequest: guard }, async (request, reply) => {
    const query = parseRequest(ListQuery, request.query, 'query');
    const items = await admitSnapshots(db, readerOf(request), await listSnapshots(db, {
      ...(query.forceId !== undefined && { forceId: query.forceId }),
      ...(query.from !== undefined && { from: query.from }),
      ...(query.to !== undefined && { to: query.to }),
      limit: query.limit ?? 1_000,
    }));
    const body = {
      forceId: query.forceId ?? null,
      from: query.from ?? null,
      to: query.to ?? null,
      count: items.length,
      snapshots: items.map((item) => ({ ...item, generatedAt: item.generatedAt.toISOString() })),
    };
    const filename = ['snapshots', query.forceId ?? 'all-forces', ...(query.from ? [`from-${query.from}`] : []), ...(query.to ? [`to-${query.to}`] : [])].join('_');
    return sendAs(reply, negotiateFormat(query.format, request.headers.accept), body, () => ({ filename: `${filename}.csv`, text: snapshotListToCsv(items) }));
  });
}
