import type { IncomingMessage } from 'node:http';
import type { FastifyRequest } from 'fastify';

/**
 * `?api_key=` (operations.md, "Power BI and Excel"): Power BI's "Web API" credential puts the key
 * in the query parameter the report names (`Web.Contents(url, [ApiKeyName = "api_key"])`), and a
 * Power BI report refreshed in the service can send no other secret without a custom connector.
 *
 * The parameter is taken out of the URL before routing (fastify's `rewriteUrl`), so it never
 * reaches a request log line, an error message or a route's query schema (which refuses unknown
 * parameters); the key is kept beside the raw request until the scope check reads it.
 */

const QUERY_KEY = 'api_key';

/** Keys taken out of URLs, by raw request; `null` when the parameter was given more than once. */
const takenKeys = new WeakMap<IncomingMessage, string | null>();

const isKeyParameter = (part: string): boolean => {
  const name = part.split('=', 1)[0] ?? '';
  try {
    return decodeURIComponent(name.replace(/\+/g, ' ')) === QUERY_KEY;
  } catch {
    return false;
  }
};

const decodeValue = (part: string): string | null => {
  try {
    return decodeURIComponent(part.slice(part.indexOf('=') + 1).replace(/\+/g, ' '));
  } catch {
    return null;
  }
};

/** For `rewriteUrl`: the URL without `api_key`, the key remembered for `queryApiKeyOf`. */
export function takeQueryApiKey(raw: IncomingMessage): string {
  const url = raw.url ?? '/';
  const mark = url.indexOf('?');
  if (mark === -1) return url;
  const parts = url.slice(mark + 1).split('&');
  const keys = parts.filter(isKeyParameter);
  if (keys.length === 0) return url;
  takenKeys.set(raw, keys.length === 1 && keys[0]?.includes('=') ? decodeValue(keys[0]) : null);
  const rest = parts.filter((part) => !isKeyParameter(part));
  return rest.length === 0 ? url.slice(0, mark) : `${url.slice(0, mark)}?${rest.join('&')}`;
}

/** The `api_key` the request's URL carried: a string, `null` when malformed or repeated, undefined when absent. */
export function queryApiKeyOf(request: FastifyRequest): string | null | undefined {
  return takenKeys.get(request.raw);
}
