import type { FastifyReply } from 'fastify';
import type { Format } from './request-schemas.ts';

interface MediaRange {
  readonly type: string;
  readonly subtype: string;
  readonly q: number;
  readonly order: number;
}

function parseAccept(header: string): MediaRange[] {
  return header
    .split(',')
    .slice(0, 50)
    .flatMap((part, order): MediaRange[] => {
      const [range = '', ...params] = part.split(';').map((piece) => piece.trim().toLowerCase());
      const [type, subtype] = range.split('/');
      if (!type || !subtype) return [];
      const qParam = params.find((param) => param.startsWith('q='));
      const q = qParam === undefined ? 1 : Number(qParam.slice(2));
      return [{ type, subtype, q: Number.isFinite(q) ? Math.min(Math.max(q, 0), 1) : 0, order }];
    });
}

/** The most specific range matching `type/subtype` (RFC 9110, 12.5.1), or undefined. */
function bestMatch(ranges: readonly MediaRange[], type: string, subtype: string): MediaRange | undefined {
  const specificity = (range: MediaRange): number =>
    range.type === type && range.subtype === subtype
      ? 3
      : range.type === type && range.subtype === '*'
        ? 2
        : range.type === '*' && range.subtype === '*'
          ? 1
          : 0;
  return ranges.filter((range) => specificity(range) > 0).sort((a, b) => specificity(b) - specificity(a))[0];
}

/**
 * JSON or CSV for a data route: `?format=` decides when given; otherwise CSV only when the Accept
 * header asks for `text/csv` explicitly and prefers it to JSON (higher q, or equal q and listed
 * first). A browser's `*\/*` or no header at all gives JSON, the default of operations.md.
 */
export function negotiateFormat(format: Format | undefined, accept: string | undefined): Format {
  if (format !== undefined) return format;
  if (!accept) return 'json';
  const ranges = parseAccept(accept);
  const csv = ranges.find((range) => range.type === 'text' && range.subtype === 'csv');
  if (csv === undefined || csv.q === 0) return 'json';
  const json = bestMatch(ranges, 'application', 'json');
  if (json === undefined || json.q === 0) return 'csv';
  return csv.q > json.q || (csv.q === json.q && csv.order < json.order) ? 'csv' : 'json';
}

/** Characters a filename in Content-Disposition may hold without quoting rules of its own. */
const safeFilename = (name: string): string => name.replace(/[^A-Za-z0-9._-]/g, '_');

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8';

export function sendCsv(reply: FastifyReply, filename: string, text: string): FastifyReply {
  return reply
    .type(CSV_CONTENT_TYPE)
    .header('content-disposition', `attachment; filename="${safeFilename(filename)}"`)
    .send(text);
}

/** Sends `json`, or the CSV `csv()` builds when the negotiated format is CSV. */
export function sendAs(
  reply: FastifyReply,
  format: Format,
  json: unknown,
  csv: () => { readonly filename: string; readonly text: string },
): FastifyReply {
  reply.header('vary', 'Accept');
  if (format === 'csv') {
    const { filename, text } = csv();
    return sendCsv(reply, filename, text);
  }
  return reply.send(json);
}
