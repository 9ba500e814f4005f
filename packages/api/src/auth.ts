import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiScope, ApiTokenEntry } from '@rollcall/config';
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from 'fastify';
import { sendError } from './error-handling.ts';
import { queryApiKeyOf } from './query-api-key.ts';

/**
 * Bearer tokens with scopes (operations.md, "HTTP API").
 *
 * Scopes are independent: `admin` grants the queue UI (bull-board, which can retry, clean and
 * remove jobs) and nothing else; it does not imply `read:snapshots` or `read:ops`. Each token's
 * scopes are listed in API_TOKENS, so what a token may do is read there and nowhere else, and the
 * token handed to a person for the queue UI does not also become a data extract credential.
 * A person who needs both is given a token with both.
 *
 * Browsers cannot put a header on the requests a page makes for its own assets (bull-board's
 * scripts) or on a form post, so the same token is also accepted from the HttpOnly cookie that
 * `POST /login` sets. BI tools get two more ways in (operations.md, "Power BI and Excel"): the
 * `X-API-Key` header (Excel's and Power BI's "From Web" let a user add a header), and the
 * `api_key` query parameter (Power BI's "Web API" credential), which admits only the token's
 * read scopes, since a URL is copied into browser histories and proxy logs. In that order of
 * precedence: `Authorization`, `X-API-Key`, `api_key`, the cookie.
 */

/** Scopes a token used as `?api_key=` keeps: reading, never the queue UI that can change jobs. */
const QUERY_KEY_SCOPES: readonly ApiScope[] = ['read:snapshots', 'read:ops'];

export const TOKEN_COOKIE = 'rollcall_token';

/** Longer than any token `rollcall token create` prints (`rc_` + 32 characters); longer is refused unhashed. */
const MAX_TOKEN_LENGTH = 512;

/** RFC 6750 b64token: the characters a bearer token may hold. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

export interface Principal {
  /** The configured name of the token (`grafana`, `ops-team`), for logs; never the token. */
  readonly name: string;
  readonly scopes: readonly ApiScope[];
  /** The forces the token may read (API_TOKENS `forces`), or null for every configured force. */
  readonly forces: readonly string[] | null;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by a scope check that passed; null on public routes. */
    principal: Principal | null;
  }
}

export const sha256 = (token: string): Buffer => createHash('sha256').update(token, 'utf8').digest();

export interface TokenVerifier {
  /** The principal of a configured token, or undefined. */
  verify(token: string): Principal | undefined;
}

/**
 * Compares the token's SHA-256 with every configured hash in constant time, and always with all
 * of them, so neither the comparison nor the position of a match shows in the response time.
 */
export function createTokenVerifier(entries: readonly ApiTokenEntry[]): TokenVerifier {
  const configured = entries.map((entry) => ({
    principal: { name: entry.name, scopes: [...entry.scopes], forces: entry.forces ? [...entry.forces] : null },
    digest: Buffer.from(entry.sha256, 'hex'),
  }));
  return {
    verify(token) {
      if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return undefined;
      const digest = sha256(token);
      let match: Principal | undefined;
      for (const entry of configured) {
        if (timingSafeEqual(digest, entry.digest) && match === undefined) match = entry.principal;
      }
      return match;
    },
  };
}

export type Credentials =
  | {
      readonly kind: 'token';
      readonly token: string;
      readonly source: 'header' | 'api-key-header' | 'query' | 'cookie';
    }
  | { readonly kind: 'none' }
  | { readonly kind: 'malformed'; readonly message: string };

export function credentialsOf(request: FastifyRequest): Credentials {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = BEARER.exec(header);
    return match?.[1]
      ? { kind: 'token', token: match[1], source: 'header' }
      : { kind: 'malformed', message: 'the Authorization header must be "Bearer <token>"' };
  }
  const apiKey = request.headers['x-api-key'];
  if (apiKey !== undefined) {
    return typeof apiKey === 'string' && apiKey.trim() !== ''
      ? { kind: 'token', token: apiKey.trim(), source: 'api-key-header' }
      : { kind: 'malformed', message: 'the X-API-Key header must be given once, with the token' };
  }
  const queryKey = queryApiKeyOf(request);
  if (queryKey !== undefined)
    return queryKey
      ? { kind: 'token', token: queryKey, source: 'query' }
      : { kind: 'malformed', message: 'api_key must be given once, with the token' };
  const cookie = request.cookies[TOKEN_COOKIE];
  return cookie ? { kind: 'token', token: cookie, source: 'cookie' } : { kind: 'none' };
}

const REALM = 'Bearer realm="rollcall"';

function refuse(reply: FastifyReply, status: 401 | 403, message: string, challenge: string): FastifyReply {
  reply.header('www-authenticate', challenge);
  return sendError(reply, status, { error: status === 401 ? 'unauthorized' : 'forbidden', message });
}

export interface RequireScopeOptions {
  /**
   * For pages a person opens (the dashboard, the queue UI): a browser navigation (GET accepting
   * text/html) without a valid login is sent to /login and back, instead of a JSON 401. API
   * clients never ask for text/html, and keep the 401 their credential prompts rely on (Power BI
   * and Excel ask for a token on a 401 with a Bearer challenge).
   */
  readonly loginRedirect?: boolean;
}

/** Paths /login may send a person back to (the `next` rule of the login form). */
const RETURN_PATH = /^\/(?![/\\])[A-Za-z0-9/_.-]{0,199}$/;

const isPageNavigation = (request: FastifyRequest): boolean =>
  (request.method === 'GET' || request.method === 'HEAD') && (request.headers.accept ?? '').includes('text/html');

function toLogin(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const path = request.url.split('?', 1)[0] ?? '/';
  return reply.redirect(
    RETURN_PATH.test(path) && path !== '/' ? `/login?next=${encodeURIComponent(path)}` : '/login',
    303,
  );
}

/**
 * An onRequest hook admitting only tokens with `scope`: 401 (with a Bearer challenge) without a
 * valid token, 403 with one that lacks the scope. It answers itself rather than throwing, so the
 * answer is the same inside plugins that install error handlers of their own (bull-board).
 */
export function requireScope(
  verifier: TokenVerifier,
  scope: ApiScope,
  options: RequireScopeOptions = {},
): onRequestAsyncHookHandler {
  return async function checkScope(request, reply) {
    const credentials = credentialsOf(request);
    const verified = credentials.kind === 'token' ? verifier.verify(credentials.token) : undefined;
    const principal =
      verified && credentials.kind === 'token' && credentials.source === 'query'
        ? { ...verified, scopes: verified.scopes.filter((granted) => QUERY_KEY_SCOPES.includes(granted)) }
        : verified;
    if (
      principal === undefined &&
      options.loginRedirect &&
      credentials.kind !== 'malformed' &&
      isPageNavigation(request)
    ) {
      return toLogin(request, reply);
    }
    if (credentials.kind === 'none') {
      return refuse(
        reply,
        401,
        'a bearer token is required (Authorization: Bearer <token>, or log in at /login)',
        REALM,
      );
    }
    if (credentials.kind === 'malformed') {
      return refuse(reply, 401, credentials.message, `${REALM}, error="invalid_request"`);
    }
    if (principal === undefined) {
      return refuse(
        reply,
        401,
        credentials.source === 'cookie'
          ? 'the login has expired or the token is not valid; log in again at /login'
          : 'the token is not valid',
        `${REALM}, error="invalid_token"`,
      );
    }
    if (!principal.scopes.includes(scope)) {
      const how =
        credentials.kind === 'token' && credentials.source === 'query'
          ? ' (a token given as ?api_key= has its read scopes only)'
          : '';
      return refuse(
        reply,
        403,
        `requires scope ${scope}${how}`,
        `${REALM}, error="insufficient_scope", scope="${scope}"`,
      );
    }
    request.principal = principal;
    return undefined;
  };
}
