import {
  countSnapshots,
  type Db,
  findLatestSnapshot,
  findSnapshot,
  listSnapshots,
  type SnapshotListItem,
  type StoredSnapshot,
} from '@rollcall/db';
import { admitSnapshots, csvField, snapshotReaderOf, snapshotToCsv, visibilityFor } from '@rollcall/publishing';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { z } from 'zod';
import { notFound } from './api-error.ts';
import type { ForceScope } from './force-scope.ts';
import { decodeCursor, encodeCursor, setPagingHeaders } from './page-cursor.ts';
import {
  Cursor,
  DATE_RANGE_MESSAGE,
  dateRangeIsOrdered,
  ForceId,
  Format,
  LocalDateParam,
  parseRequest,
  SnapshotId,
} from './request-schemas.ts';
import { negotiateFormat, sendAs } from './response-format.ts';
import { documented } from './route-docs.ts';
import { answeredFromCache, snapshotEtag } from './snapshot-cache.ts';
import { documentOf } from './stored-document.ts';

/** Columns of the list as CSV; like the snapshot CSV, only ever added to at the end. */
export const SNAPSHOT_LIST_CSV_COLUMNS = [
  'snapshot_id',
  'force_id',
  'as_of',
  'revision',
  'supersedes',
  'generated_at',
  'is_latest_revision',
] as const;

export function snapshotListToCsv(items: readonly SnapshotListItem[]): string {
  const rows = items.map((item) =>
    [
      item.snapshotId,
      item.forceId,
      item.asOf,
      item.revision,
      item.supersedes,
      item.generatedAt.toISOString(),
      item.isLatestRevision ? 'true' : 'false',
    ]
      .map(csvField)
      .join(','),
  );
  return `${[SNAPSHOT_LIST_CSV_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}

const LatestQuery = z.strictObject({ forceId: ForceId.optional(), format: Format.optional() });
const SnapshotParams = z.strictObject({ snapshotId: SnapshotId });
const FormatQuery = z.strictObject({ format: Format.optional() });
const LIMIT_MESSAGE = 'must be a whole number from 1 to 1000';
const Limit = z
  .string()
  .regex(/^\d{1,4}$/, LIMIT_MESSAGE)
  .transform(Number)
  .pipe(z.number().min(1, LIMIT_MESSAGE).max(1_000, LIMIT_MESSAGE));
const ListQuery = z
  .strictObject({
    forceId: ForceId.optional(),
    from: LocalDateParam.optional(),
    to: LocalDateParam.optional(),
    limit: Limit.optional().meta({ description: 'Snapshots per page, 1 to 1000 (default 1000)' }),
    cursor: Cursor.optional().meta({ description: 'nextCursor of the previous page' }),
    format: Format.optional(),
  })
  .refine(dateRangeIsOrdered, DATE_RANGE_MESSAGE);
const ListPosition = z.strictObject({
  asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  forceId: z.string().max(64),
  revision: z.number().int().min(1),
});

const SnapshotListBody = z.object({
  forceId: z.string().nullable(),
  from: z.string().nullable(),
  to: z.string().nullable(),
  count: z.number().int().meta({ description: 'Snapshots on this page' }),
  total: z.number().int().meta({ description: 'Snapshots on every page together' }),
  nextCursor: z.string().nullable().meta({ description: 'Pass as ?cursor= for the next page; null on the last page' }),
  snapshots: z.array(
    z.object({
      snapshotId: z.string(),
      forceId: z.string(),
      asOf: z.string(),
      revision: z.number().int(),
      supersedes: z.string().nullable(),
      generatedAt: z.string(),
      isLatestRevision: z.boolean(),
    }),
  ),
});

export interface SnapshotRoutesDeps {
  readonly db: Db;
  readonly forces: ForceScope;
  readonly guard: onRequestAsyncHookHandler;
  /** The clock release control judges embargoes by; tests inject one. */
  readonly now?: () => Date;
}

const SNAPSHOT_BODY = {
  description: 'The snapshot document (JSON) or its entries as CSV (?format=csv or Accept: text/csv)',
  json: true,
  csv: true,
  headers: {
    ETag: 'Weak validator from the content hash; send it back as If-None-Match',
    'Cache-Control': 'How long the response may be reused',
  },
} as const;

/** Sends a stored snapshot as JSON or CSV, or a 304 when the client has this version already. */
function sendSnapshot(
  request: FastifyRequest,
  reply: FastifyReply,
  snapshot: StoredSnapshot,
  format: z.infer<typeof Format> | undefined,
  immutable: boolean,
): FastifyReply {
  const negotiated = negotiateFormat(format, request.headers.accept);
  if (answeredFromCache(request, reply, { etag: snapshotEtag(snapshot.contentHash, negotiated), immutable }))
    return reply;
  const document = documentOf(snapshot);
  return sendAs(reply, negotiated, document, () => ({
    filename: `${document.snapshotId}.csv`,
    text: snapshotToCsv(document),
  }));
}

/** `/v1/snapshots/latest`, `/v1/snapshots/:snapshotId` and `/v1/snapshots` (operations.md). */
export function registerSnapshotRoutes(app: FastifyInstance, deps: SnapshotRoutesDeps): void {
  const { db, guard } = deps;
  const readerOf = (request: FastifyRequest) =>
    snapshotReaderOf(request.principal, (deps.now ?? (() => new Date()))(), `${request.method} ${request.url}`);

  app.get(
    '/v1/snapshots/latest',
    {
      onRequest: guard,
      ...documented({
        summary: 'The latest snapshot of a force',
        description:
          'The head revision of the newest date. Revalidate with If-None-Match: 304 until something newer is published.',
        tags: ['data'],
        querystring: LatestQuery,
        responses: {
          200: SNAPSHOT_BODY,
          304: { description: 'Not modified' },
          404: { description: 'No snapshot published for the force', json: true },
        },
      }),
    },
    async (request, reply) => {
      const query = parseRequest(LatestQuery, request.query, 'query');
      const forceId = await deps.forces.resolve(request, query.forceId);
      const reader = readerOf(request);
      const latest = await findLatestSnapshot(db, forceId, visibilityFor(reader));
      const [snapshot] = await admitSnapshots(db, reader, latest === undefined ? [] : [latest]);
      if (snapshot === undefined) throw notFound(`no snapshot has been published for force ${forceId}`);
      return sendSnapshot(request, reply, snapshot, query.format, false);
    },
  );

  app.get(
    '/v1/snapshots/:snapshotId',
    {
      onRequest: guard,
      ...documented({
        summary: 'One snapshot revision',
        description: 'Immutable: cached for a year, ETag from the content hash, 304 on If-None-Match.',
        tags: ['data'],
        params: SnapshotParams,
        querystring: FormatQuery,
        responses: {
          200: SNAPSHOT_BODY,
          304: { description: 'Not modified' },
          404: { description: 'No such snapshot', json: true },
        },
      }),
    },
    async (request, reply) => {
      const { snapshotId } = parseRequest(SnapshotParams, request.params, 'params');
      const query = parseRequest(FormatQuery, request.query, 'query');
      const found = await findSnapshot(db, snapshotId);
      const [snapshot] = await admitSnapshots(db, readerOf(request), found === undefined ? [] : [found]);
      if (snapshot === undefined) throw notFound(`no snapshot ${snapshotId}`);
      deps.forces.check(request, snapshot.forceId);
      return sendSnapshot(request, reply, snapshot, query.format, true);
    },
  );

  app.get(
    '/v1/snapshots',
    {
      onRequest: guard,
      ...documented({
        summary: 'Snapshots between two dates, every revision, newest first',
        description:
          'Paged: `total` counts every page, `nextCursor` starts the next (CSV: X-Total-Count, X-Next-Cursor and Link headers).',
        tags: ['data'],
        querystring: ListQuery,
        responses: { 200: { description: 'One page of the list', json: SnapshotListBody, csv: true } },
      }),
    },
    async (request, reply) => {
      const query = parseRequest(ListQuery, request.query, 'query');
      if (query.forceId !== undefined) deps.forces.check(request, query.forceId);
      const forceIds = query.forceId !== undefined ? [query.forceId] : (request.principal?.forces ?? undefined);
      const reader = readerOf(request);
      // Embargoed snapshots are left out in the database for readers without pre-release access,
      // so that pages stay full, the cursor moves on and `total` counts what the reader may see.
      const filter = {
        ...(forceIds !== undefined && { forceIds }),
        ...(query.from !== undefined && { from: query.from }),
        ...(query.to !== undefined && { to: query.to }),
        ...(!reader.preRelease && { embargoedAt: reader.at }),
      };
      const limit = query.limit ?? 1_000;
      const after = query.cursor === undefined ? undefined : decodeCursor(ListPosition, query.cursor);
      const [items, total] = await Promise.all([
        listSnapshots(db, { ...filter, limit: limit + 1, ...(after && { after }) }),
        countSnapshots(db, filter),
      ]);
      // Pre-release readers see embargoed snapshots, and each such read is logged (release control).
      const page = await admitSnapshots(db, reader, items.slice(0, limit));
      const last = page.at(-1);
      const nextCursor =
        items.length > limit && last
          ? encodeCursor({ asOf: last.asOf, forceId: last.forceId, revision: last.revision })
          : null;
      const body = {
        forceId: query.forceId ?? null,
        from: query.from ?? null,
        to: query.to ?? null,
        count: page.length,
        total,
        nextCursor,
        snapshots: page.map((item) => ({ ...item, generatedAt: item.generatedAt.toISOString() })),
      };
      setPagingHeaders(reply, request, { total, nextCursor });
      const filename = [
        'snapshots',
        query.forceId ?? 'all-forces',
        ...(query.from ? [`from-${query.from}`] : []),
        ...(query.to ? [`to-${query.to}`] : []),
      ].join('_');
      return sendAs(reply, negotiateFormat(query.format, request.headers.accept), body, () => ({
        filename: `${filename}.csv`,
        text: snapshotListToCsv(page),
      }));
    },
  );
}
