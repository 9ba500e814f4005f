/** One reason a request was refused, e.g. `{ in: 'query', path: 'from', message: 'must be ...' }`. */
export interface ErrorDetail {
  readonly in?: 'query' | 'params' | 'body';
  readonly path: string;
  readonly message: string;
}

/** The JSON body of every error response (operations.md, "HTTP API"). */
export interface ErrorBody {
  /** Machine-readable: `unauthorized`, `forbidden`, `bad_request`, `not_found`, `not_ready`, `internal`, ... */
  readonly error: string;
  /** For a person; never internals (no stack, no SQL, no connection details). */
  readonly message: string;
  readonly details?: unknown;
}

/**
 * An error the API answers with as it stands: status, code and message are safe to show.
 * Anything else thrown by a handler is unexpected and becomes a 500 without its message.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';

  constructor(
    readonly statusCode: number,
    readonly error: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }

  get body(): ErrorBody {
    return {
      error: this.error,
      message: this.message,
      ...(this.details === undefined ? {} : { details: this.details }),
    };
  }
}

export const notFound = (message: string): ApiError => new ApiError(404, 'not_found', message);

export const badRequest = (message: string, details?: readonly ErrorDetail[]): ApiError =>
  new ApiError(400, 'bad_request', message, details);
