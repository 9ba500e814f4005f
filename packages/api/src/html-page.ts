import { createHash } from 'node:crypto';
import type { FastifyReply } from 'fastify';

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML content or a quoted attribute. */
export const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (char) => HTML_ESCAPES[char] ?? char);

/** JSON inside `<script type="application/json">`: `<` escaped so no value can close the element. */
export const jsonForScript = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

/** A CSP source for one inline `<script>` or `<style>` body, so no other inline code runs. */
export const cspHashOf = (source: string): string => `'sha256-${createHash('sha256').update(source, 'utf8').digest('base64')}'`;

export interface InlineAssets {
  readonly style: string;
  readonly script?: string;
}

/**
 * Sends a self-contained page: its only style and script are the inline ones named by hash in
 * the Content-Security-Policy; it may fetch from this origin and post forms to it, nothing else.
 */
export function sendHtml(reply: FastifyReply, html: string, assets: InlineAssets): FastifyReply {
  const policy = [
    "default-src 'none'",
    `style-src ${cspHashOf(assets.style)}`,
    ...(assets.script === undefined ? [] : [`script-src ${cspHashOf(assets.script)}`, "connect-src 'self'"]),
    "img-src 'self' data:",
    "form-action 'self'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return reply
    .type('text/html; charset=utf-8')
    .header('content-security-policy', policy)
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .send(html);
}
