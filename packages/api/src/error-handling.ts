import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError, type ErrorBody } from './api-error.ts';

/** Codes of client errors fastify itself raises (bad JSON, body too large, wrong content type). */
const CLIENT_ERROR_CODES: Readonly<Record<number, string>> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  413: 'payload_too_large',
  414: 'uri_too_long',
  415: 'unsupported_media_type',
  429: 'too_many_requests',
};

const statusOf = (error: unknown): number | undefined => {
  const status = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' && Number.isInteger(status) ? status : undefined;
};

export function sendError(reply: FastifyReply, statusCode: number, body: ErrorBody): FastifyReply {
  return reply.code(statusCode).type('application/json; charset=utf-8').send(body);
}

/** Paths are echoed in 404 messages, cut short so a huge URL is not echoed back whole. */
const shortPath = (url: string): string => {
  const path = url.split('?', 1)[0] ?? '';
  return path.length > 80 ? `${path.slice(0, 77)}...` : path;
};

/**
 * Every error as `{ error, message, details? }`: an ApiError as it stands; fastify's own client
 * errors (400/413/415...) with their message, which describes the request and nothing else;
 * anything else as a 500 that says nothing of the cause, which is logged instead.
 */
export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof ApiError) return sendError(reply, error.statusCode, error.body);
  const status = statusOf(error);
  if (status !== undefined && status >= 400 && status < 500) {
    const message = error instanceof Error && error.message ? error.message : 'bad request';
    return sendError(reply, status, { error: CLIENT_ERROR_CODES[status] ?? 'bad_request', message });
  }
  request.log.error({ err: error }, 'request failed');
  return sendError(reply, 500, { error: 'internal', message: 'internal server error' });
}

/**
 * Errors fastify raises before routing (a URL that does not decode, a path parameter over
 * `maxParamLength`): both are bad parameters, so 400 like the rest.
 */
export function handleFrameworkError(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const message =
    error.code === 'FST_ERR_MAX_PARAM_LENGTH'
      ? 'a path parameter is too long'
      : error.code === 'FST_ERR_BAD_URL'
        ? 'the URL is not validly percent-encoded'
        : 'bad request';
  void sendError(reply, 400, { error: 'bad_request', message });
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, 404, { error: 'not_found', message: `no route for ${request.method} ${shortPath(request.url)}` }),
  );
}
