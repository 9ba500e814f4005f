import type { FastifySchema, FastifySchemaCompiler, FastifySerializerCompiler } from 'fastify';
import { z } from 'zod';

/**
 * The OpenAPI description of a route, from the same zod schemas the handler parses its input with
 * (`parseRequest`), so `/openapi.json` cannot drift from what the route accepts.
 *
 * Fastify would validate a route's `schema` itself (ajv) and answer a bad request with its own
 * error text; the routes already parse with zod and answer 400s naming each parameter (and tests
 * hold them to it), so the schema here only describes: its validator accepts everything, and
 * responses are serialised as JSON.stringify does by default, never trimmed to a schema.
 */

type Media = 'json' | 'csv';

export interface ResponseDocs {
  readonly description: string;
  /** The JSON body's schema; `true` for a JSON body described in words only. */
  readonly json?: z.ZodType | true;
  readonly csv?: boolean;
  /** Response headers worth knowing (`ETag`, `X-Total-Count`...), name → description. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RouteDocs {
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly params?: z.ZodType;
  readonly querystring?: z.ZodType;
  readonly responses: Readonly<Record<number, ResponseDocs>>;
  /** Public routes say so: `/openapi.json` then lists no credential for them. */
  readonly public?: boolean;
}

/** JSON Schema 2020-12 (the dialect of OpenAPI 3.1) of what a client sends or receives. */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  });
  return rest;
}

const ERROR_BODY = z.object({
  error: z.string().meta({ description: 'machine-readable: bad_request, unauthorized, forbidden, not_found...' }),
  message: z.string().meta({ description: 'for a person: what was refused and why' }),
  details: z.array(z.object({ in: z.string().optional(), path: z.string(), message: z.string() })).optional(),
});

const STANDARD_ERRORS: Readonly<Record<number, ResponseDocs>> = {
  400: {
    description: 'A parameter is invalid: the message and `details` name each one and the valid values',
    json: ERROR_BODY,
  },
  401: { description: 'No valid credential (Bearer token, X-API-Key or api_key)', json: ERROR_BODY },
  403: { description: 'The token lacks the scope or the force', json: ERROR_BODY },
};

const CSV_SCHEMA = { type: 'string', description: 'RFC 4180 CSV with a header row, CRLF line ends' };

function responseSchema(docs: ResponseDocs): Record<string, unknown> {
  const content: Partial<Record<string, unknown>> = {};
  const media: Media[] = [...(docs.json ? (['json'] as const) : []), ...(docs.csv ? (['csv'] as const) : [])];
  for (const kind of media) {
    if (kind === 'csv') content['text/csv'] = { schema: CSV_SCHEMA };
    else
      content['application/json'] = {
        schema: docs.json === true || docs.json === undefined ? { type: 'object' } : jsonSchemaOf(docs.json, 'output'),
      };
  }
  return {
    description: docs.description,
    ...(media.length > 0 && { content }),
    ...(docs.headers && {
      headers: Object.fromEntries(
        Object.entries(docs.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }]),
      ),
    }),
  };
}

const acceptAnything: FastifySchemaCompiler<unknown> = () => (value) => ({ value });
const asJson: FastifySerializerCompiler<unknown> = () => (data) => JSON.stringify(data);

/** Route options describing the route in `/openapi.json` (and changing nothing it does). */
export function documented(docs: RouteDocs): {
  schema: FastifySchema & Record<string, unknown>;
  validatorCompiler: FastifySchemaCompiler<unknown>;
  serializerCompiler: FastifySerializerCompiler<unknown>;
} {
  const responses = {
    ...(docs.public ? {} : STANDARD_ERRORS),
    ...(docs.params || docs.querystring ? { 400: STANDARD_ERRORS[400] } : {}),
    ...docs.responses,
  };
  return {
    schema: {
      summary: docs.summary,
      ...(docs.description !== undefined && { description: docs.description }),
      tags: [...docs.tags],
      ...(docs.params && { params: jsonSchemaOf(docs.params, 'input') }),
      ...(docs.querystring && { querystring: jsonSchemaOf(docs.querystring, 'input') }),
      response: Object.fromEntries(
        Object.entries(responses).flatMap(([status, response]) =>
          response ? [[status, responseSchema(response)]] : [],
        ),
      ),
      ...(docs.public && { security: [] }),
    },
    validatorCompiler: acceptAnything,
    serializerCompiler: asJson,
  };
}
