import { isLocalDate } from '@rollcall/calendar';
import { z } from 'zod';
import { badRequest, type ErrorDetail } from './api-error.ts';

/**
 * Request parameters as zod schemas (style.md, point 3: zod where data crosses a boundary). Every
 * pattern is anchored and every string bounded, so an injection attempt or a megabyte of input is
 * a 400 before anything reaches a repository (which only binds values anyway).
 */

/** Force slugs as the reference data spells them: `avon-and-somerset`, `metropolitan`. */
export const ForceId = z
  .string()
  .max(64, 'must be at most 64 characters')
  .regex(
    /^[a-z]+(?:-[a-z]+)*$/,
    'must be a force slug: lowercase words joined by single dashes, e.g. avon-and-somerset',
  );

/** `<forceId>_<asOf>_r<revision>`, as `publishSnapshot` names them. */
export const SnapshotId = z
  .string()
  .max(100, 'must be at most 100 characters')
  .regex(
    /^[a-z]+(?:-[a-z]+)*_\d{4}-\d{2}-\d{2}_r[1-9]\d{0,5}$/,
    'must be a snapshot id such as avon-and-somerset_2022-03-31_r1',
  );

/** Measure ids of the catalogue: `calls.999.answered_within_10s`, `stopsearch.outcome_rate.no-further-action`. */
export const MeasureId = z
  .string()
  .max(100, 'must be at most 100 characters')
  .regex(/^[a-z0-9]+(?:[._-][a-z0-9]+)*$/, 'must be a measure id such as calls.999.answered_within_10s');

/** A real calendar day: `2022-02-30` is refused, not rolled over into March. */
export const LocalDateParam = z
  .string()
  .max(10, 'must be a date YYYY-MM-DD')
  .refine((value) => isLocalDate(value), 'must be a calendar date YYYY-MM-DD');

/** Period ids of a snapshot: the standard kinds, or `custom:<id>`. */
export const PeriodId = z
  .string()
  .max(60, 'must be at most 60 characters')
  .regex(
    /^(?:month|rolling-12m|financial-year|as-at|custom:[a-z0-9][a-z0-9-]{0,40})$/,
    'must be month, rolling-12m, financial-year, as-at or custom:<id>',
  );

/**
 * A breakdown as the CSV writes it: `key=value` pairs joined by `;` (`grade=emergency;area=urban`),
 * in any order; normalised to keys in sorted order. Values are free text from the feeds (a wanted
 * team's name), so any printable character but `;` and `=` is allowed: they are only ever compared
 * with published entries in memory.
 */
export const BreakdownParam = z
  .string()
  .max(200, 'must be at most 200 characters')
  .regex(
    /^[a-z][a-zA-Z0-9_]*=[^;=\u0000-\u001f\u007f]+(?:;[a-z][a-zA-Z0-9_]*=[^;=\u0000-\u001f\u007f]+)*$/,
    'must be key=value pairs joined by ";", e.g. grade=emergency;area=urban',
  )
  .transform((text) =>
    text
      .split(';')
      .map((pair) => pair.split('=') as [string, string])
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, value]) => `${key}=${value}`)
      .join(';'),
  );

/** An opaque paging cursor, as a previous page's `nextCursor` gave it (base64url). */
export const Cursor = z
  .string()
  .max(2_000, 'must be at most 2000 characters')
  .regex(/^[A-Za-z0-9_-]+$/, 'must be a nextCursor of a previous page, unchanged');

export const Format = z.enum(['json', 'csv'], { error: 'must be json or csv' });
export type Format = z.infer<typeof Format>;

/** `from` and `to` inclusive; `from` after `to` is a mistake worth saying, not an empty answer. */
export const dateRangeIsOrdered = (query: { from?: string | undefined; to?: string | undefined }): boolean =>
  query.from === undefined || query.to === undefined || query.from <= query.to;

export const DATE_RANGE_MESSAGE = { message: 'from must not be after to', path: ['from'] };

const issueDetails = (error: z.ZodError, where: NonNullable<ErrorDetail['in']>): ErrorDetail[] =>
  error.issues.flatMap((issue): ErrorDetail[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        in: where,
        path: key.length > 40 ? `${key.slice(0, 37)}...` : key,
        message: 'unknown parameter',
      }));
    }
    if (issue.code === 'invalid_type' && issue.path.length > 0 && Array.isArray(issue.input)) {
      return [{ in: where, path: issue.path.join('.'), message: 'must be given once' }];
    }
    return [{ in: where, path: issue.path.map(String).join('.'), message: issue.message }];
  });

/** Parses `input` (query, path parameters or body) or throws a 400 naming each bad parameter. */
export function parseRequest<S extends z.ZodType>(
  schema: S,
  input: unknown,
  where: NonNullable<ErrorDetail['in']>,
): z.output<S> {
  // reportInput: to tell a repeated parameter (an array) from a missing one; inputs are never echoed.
  const parsed = schema.safeParse(input ?? {}, { reportInput: true });
  if (parsed.success) return parsed.data;
  const details = issueDetails(parsed.error, where);
  const summary = details
    .map((detail) => (detail.path ? `${detail.path}: ${detail.message}` : detail.message))
    .join('; ');
  throw badRequest(
    `invalid ${where === 'params' ? 'path' : where === 'query' ? 'query' : 'body'} parameters: ${summary}`,
    details,
  );
}
