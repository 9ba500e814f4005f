import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * A CSRF token for the login and logout forms (double submit): a random value kept in an HttpOnly
 * `SameSite=Strict` cookie and repeated in a hidden field of the form. Another site can neither
 * read the cookie nor make the browser send it on a cross-site post, so a post carrying a field
 * equal to the cookie came from a page of this site, even when the browser says `Origin: null`.
 */
export const CSRF_COOKIE = 'rollcall_csrf';
export const CSRF_FIELD = 'csrf';

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export const csrfCookieOptions = (request: FastifyRequest) => ({
  httpOnly: true,
  sameSite: 'strict' as const,
  path: '/',
  secure: request.protocol === 'https',
});

/** The request's CSRF token, or a new one set as the cookie: put it in the form's hidden field. */
export function csrfTokenFor(request: FastifyRequest, reply: FastifyReply): string {
  const existing = request.cookies[CSRF_COOKIE];
  if (existing !== undefined && TOKEN.test(existing)) return existing;
  const token = randomBytes(32).toString('base64url');
  reply.setCookie(CSRF_COOKIE, token, csrfCookieOptions(request));
  return token;
}

/** Whether the posted field equals the cookie (compared in constant time). */
export function hasValidCsrfToken(request: FastifyRequest, posted: string | undefined): boolean {
  const cookie = request.cookies[CSRF_COOKIE];
  if (cookie === undefined || posted === undefined || !TOKEN.test(cookie) || posted.length !== cookie.length)
    return false;
  return timingSafeEqual(Buffer.from(cookie), Buffer.from(posted));
}
