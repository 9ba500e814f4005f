import type { ApiScope } from '@rollcall/config';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApiError } from './api-error.ts';
import { TOKEN_COOKIE, type TokenVerifier } from './auth.ts';
import { sendError } from './error-handling.ts';
import { sendHtml } from './html-page.ts';
import { CSRF_FIELD, csrfTokenFor, hasValidCsrfToken } from './login-csrf.ts';
import { LOGIN_STYLE, renderLoginPage } from './login-page.ts';
import { parseRequest } from './request-schemas.ts';

/**
 * Seconds the login cookie lasts: a working day and a bit, so a browser left open overnight asks
 * again, and a token removed from API_TOKENS stops working at once anyway (it is checked on every
 * request, not trusted from the cookie).
 */
export const LOGIN_COOKIE_MAX_AGE_SECONDS = 12 * 3_600;

/** A path on this server to return to after logging in: no scheme, no host, no `//`, no `\`. */
const NextPath = z
  .string()
  .max(200, 'must be at most 200 characters')
  .regex(/^\/(?![/\\])[A-Za-z0-9/_.-]*$/, 'must be a path on this server such as /admin/queues');

const LoginQuery = z.strictObject({ next: NextPath.optional() });
const CsrfField = z.string().max(100, 'must be at most 100 characters').optional();
const LoginBody = z.object({
  token: z.string().min(1, 'is required').max(512, 'must be at most 512 characters'),
  next: NextPath.optional(),
  [CSRF_FIELD]: CsrfField,
});
const LogoutBody = z.object({ [CSRF_FIELD]: CsrfField });

/** Where a token's holder most likely wants to go. */
const homeOf = (scopes: readonly ApiScope[]): string =>
  scopes.includes('read:snapshots')
    ? '/'
    : scopes.includes('admin')
      ? '/admin/queues'
      : scopes.includes('read:ops')
        ? '/v1/queues'
        : '/';

/** A form post from a browser (as opposed to a JSON client), which gets pages and redirects back. */
const isFormPost = (request: FastifyRequest): boolean =>
  (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');

/**
 * Browsers send Origin on every cross-site POST: refusing a foreign one stops another site from
 * logging a visitor in with a token of its choosing, or out. Clients without Origin are not
 * browsers. `Origin: null` (a browser hiding where the form came from: a page with
 * `Referrer-Policy: no-referrer`, a sandboxed frame, a privacy setting) is accepted only with the
 * form's CSRF token, which only a page of this site can hold (login-csrf.ts).
 */
function assertSameOrigin(request: FastifyRequest, csrf: string | undefined): void {
  const origin = request.headers.origin;
  if (origin === undefined) return;
  if (origin === 'null') {
    if (hasValidCsrfToken(request, csrf)) return;
    throw new ApiError(
      403,
      'forbidden',
      'the form did not say where it came from (Origin: null) and carried no valid CSRF token; reload the page and try again',
    );
  }
  let host: string | undefined;
  try {
    host = new URL(origin).host;
  } catch {
    host = undefined;
  }
  if (host !== request.host)
    throw new ApiError(403, 'forbidden', 'cross-site requests to /login and /logout are refused');
}

/** A refusal a person sees as the login page with the reason, rather than raw JSON. */
function refusedForm(
  request: FastifyRequest,
  reply: FastifyReply,
  error: unknown,
  next: string | undefined,
): FastifyReply {
  if (!(error instanceof ApiError) || !isFormPost(request)) throw error;
  return sendHtml(
    reply.code(error.statusCode),
    renderLoginPage({ next, error: `Refused: ${error.message}.`, csrf: csrfTokenFor(request, reply) }),
    { style: LOGIN_STYLE },
  );
}

const cookieOptions = (request: FastifyRequest) => ({
  httpOnly: true,
  sameSite: 'strict' as const,
  path: '/',
  // Secure when served over TLS; on plain http (a local or internal deployment) a Secure cookie
  // would never be sent back.
  secure: request.protocol === 'https',
});

/**
 * `GET /login` (a form), `POST /login` (checks the token, sets the HttpOnly `rollcall_token`
 * cookie: `HttpOnly; SameSite=Strict; Path=/`, `Secure` over https) and `POST /logout` (clears it);
 * the forms carry the CSRF token of login-csrf.ts. All public: the
 * token itself is what is being checked. Form posts get pages and 303 redirects, JSON posts JSON.
 */
export function registerLoginRoutes(app: FastifyInstance, verifier: TokenVerifier): void {
  app.get('/login', async (request, reply) => {
    const query = parseRequest(LoginQuery, request.query, 'query');
    return sendHtml(reply, renderLoginPage({ next: query.next, csrf: csrfTokenFor(request, reply) }), {
      style: LOGIN_STYLE,
    });
  });

  app.post('/login', async (request, reply): Promise<FastifyReply> => {
    const body = parseRequest(LoginBody, request.body, 'body');
    try {
      assertSameOrigin(request, body[CSRF_FIELD]);
    } catch (error) {
      return refusedForm(request, reply, error, body.next);
    }
    const principal = verifier.verify(body.token);
    if (principal === undefined) {
      request.log.info('login refused: token not valid');
      reply.header('www-authenticate', 'Bearer realm="rollcall", error="invalid_token"');
      if (isFormPost(request))
        return sendHtml(
          reply.code(401),
          renderLoginPage({ next: body.next, error: 'That token is not valid.', csrf: csrfTokenFor(request, reply) }),
          { style: LOGIN_STYLE },
        );
      return sendError(reply, 401, { error: 'unauthorized', message: 'the token is not valid' });
    }
    request.log.info({ tokenName: principal.name }, 'logged in');
    reply.setCookie(TOKEN_COOKIE, body.token, { ...cookieOptions(request), maxAge: LOGIN_COOKIE_MAX_AGE_SECONDS });
    reply.header('cache-control', 'no-store');
    if (isFormPost(request)) return reply.redirect(body.next ?? homeOf(principal.scopes), 303);
    return reply.send({ name: principal.name, scopes: principal.scopes });
  });

  app.post('/logout', async (request, reply): Promise<FastifyReply> => {
    const body = parseRequest(LogoutBody, request.body ?? {}, 'body');
    try {
      assertSameOrigin(request, body[CSRF_FIELD]);
    } catch (error) {
      return refusedForm(request, reply, error, undefined);
    }
    reply.clearCookie(TOKEN_COOKIE, cookieOptions(request));
    if (isFormPost(request)) return reply.redirect('/login', 303);
    return reply.code(204).send();
  });
}
