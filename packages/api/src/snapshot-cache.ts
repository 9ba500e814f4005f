import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Format } from './request-schemas.ts';

/**
 * HTTP caching of snapshots (operations.md, "Caching"). A snapshot revision is immutable: its id
 * names one document for ever, so `/v1/snapshots/:snapshotId` is `immutable` for a year, and its
 * content hash (SHA-256 of the measures, which differ between any two revisions) is its ETag.
 * `/v1/snapshots/latest` changes when a newer date or revision is published, so it carries the
 * same ETag but must be revalidated (`no-cache`): a client asking again gets a 304 without the
 * body until something new is published.
 *
 * The ETag is weak (`W/`): the body is the same document whether sent as is, gzip or brotli, and
 * a strong ETag would have to differ per encoding. It names the format, since JSON and CSV of one
 * snapshot are different bodies.
 */

/** A year, the longest `max-age` caches honour (RFC 9111 recommends no more). */
export const IMMUTABLE_CACHE_CONTROL = 'public, max-age=31536000, immutable';
export const REVALIDATE_CACHE_CONTROL = 'no-cache';

export const snapshotEtag = (contentHash: string, format: Format): string =>
  `W/"${contentHash.slice(0, 32)}-${format}"`;

/** Whether `If-None-Match` names `etag` (weak comparison, RFC 9110 13.1.2; `*` matches any). */
export function matchesIfNoneMatch(request: FastifyRequest, etag: string): boolean {
  const header = request.headers['if-none-match'];
  if (header === undefined) return false;
  const opaque = (tag: string): string => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}

/**
 * Sets the caching headers; answers 304 (and returns true) when the client already has this
 * version, so the caller builds no body.
 */
export function answeredFromCache(
  request: FastifyRequest,
  reply: FastifyReply,
  options: { etag: string; immutable: boolean },
): boolean {
  reply
    .header('etag', options.etag)
    .header('cache-control', options.immutable ? IMMUTABLE_CACHE_CONTROL : REVALIDATE_CACHE_CONTROL)
    .header('vary', 'Accept');
  if (!matchesIfNoneMatch(request, options.etag)) return false;
  void reply.code(304).send();
  return true;
}
