import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text for HTML content or a quoted attribute. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);

/** JSON inside `<script type="application/json">`: `<` escaped so no value can close the element. */
export const jsonForScript = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

/** A CSP source for one inline `<script>` or `<style>` body, so no other inline code runs. */
export const cspHashOf = (source: string): string =>
  `'sha256-${createHash('sha256').update(source, 'utf8').digest('base64')}'`;

export interface InlineAssets {
  readonly style: string;
  readonly script?: string;
}

/**
 * `same-origin`: a browser sends the page's Origin on the forms it posts to this site (login,
 * logout), which the same-origin check reads, and no Referer leaves the site. `no-referrer` made
 * Chromium post forms with `Origin: null`, refused as cross-site (issue 13).
 */
export const REFERRER_POLICY = 'same-origin';

const COMMON_POLICY = ["img-src 'self' data:", "form-action 'self'", "base-uri 'none'", "frame-ancestors 'none'"];

function send(reply: FastifyReply, html: string, policy: readonly string[]): FastifyReply {
  return reply
    .type('text/html; charset=utf-8')
    .header('content-security-policy', policy.join('; '))
    .header('cache-control', 'no-store')
    .header('referrer-policy', REFERRER_POLICY)
    .send(html);
}

/**
 * Sends a self-contained page: its only style and script are the inline ones named by hash in
 * the Content-Security-Policy; it may fetch from this origin and post forms to it, nothing else.
 */
export function sendHtml(reply: FastifyReply, html: string, assets: InlineAssets): FastifyReply {
  return send(reply, html, [
    "default-src 'none'",
    `style-src ${cspHashOf(assets.style)}`,
    ...(assets.script === undefined ? [] : [`script-src ${cspHashOf(assets.script)}`, "connect-src 'self'"]),
    ...COMMON_POLICY,
  ]);
}

/**
 * Sends a dashboard page: its script and style are the built files served from this origin (no
 * inline code at all); style changes made from script (ECharts sizing its canvas) are CSSOM, which
 * `style-src 'self'` allows.
 */
export function sendAppPage(reply: FastifyReply, html: string): FastifyReply {
  return send(reply, html, [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "connect-src 'self'",
    ...COMMON_POLICY,
  ]);
}
