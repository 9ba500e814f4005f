import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { badRequest } from './api-error.ts';

/**
 * Opaque paging cursors (`nextCursor`, `?cursor=`): the last row of a page, as base64url JSON.
 * Clients pass them back unchanged; a cursor that does not decode to the route's position is a
 * 400, never a page from somewhere else.
 */

export const encodeCursor = (position: unknown): string =>
  Buffer.from(JSON.stringify(position), 'utf8').toString('base64url');

export function decodeCursor<S extends z.ZodType>(schema: S, cursor: string): z.output<S> {
  const refuse = () => {
    const message = 'not a cursor this route gave out; pass nextCursor back unchanged';
    return badRequest(`invalid query parameters: cursor: ${message}`, [{ in: 'query', path: 'cursor', message }]);
  };
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw refuse();
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw refuse();
  return parsed.data;
}

export interface PageInfo {
  /** Rows of every page together. */
  readonly total: number;
  /** Where the next page starts, or null on the last page. */
  readonly nextCursor: string | null;
}

/**
 * Paging of a CSV response, which has no room for it in the body: `X-Total-Count`,
 * `X-Next-Cursor` and a `Link: <...>; rel="next"` to the same URL with the next cursor (what
 * Power BI's and Excel's paging recipes in operations.md follow). JSON bodies carry the same.
 */
export function setPagingHeaders(reply: FastifyReply, request: FastifyRequest, page: PageInfo): void {
  reply.header('x-total-count', String(page.total));
  if (page.nextCursor === null) return;
  reply.header('x-next-cursor', page.nextCursor);
  const [path = '/', search = ''] = request.url.split('?', 2);
  const params = new URLSearchParams(search);
  params.set('cursor', page.nextCursor);
  reply.header('link', `<${path}?${params.toString()}>; rel="next"`);
}
