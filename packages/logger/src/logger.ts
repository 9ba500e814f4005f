import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

export type { Logger } from 'pino';

/**
 * Paths removed from every log line: person references (feeds.md says they must never reach a
 * log), bearer tokens and keys. Wildcards cover the shapes events take in log context
 * (`event.payload.personRef`, `payload.personRef`).
 */
export const REDACTED_PATHS = [
  'personRef',
  'subjectRef',
  '*.personRef',
  '*.subjectRef',
  '*.*.personRef',
  '*.*.subjectRef',
  '*.*.*.personRef',
  '*.*.*.subjectRef',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'pseudonymKey',
  '*.pseudonymKey',
];

export interface CreateLoggerOptions {
  /** Name of the service or command, on every line as `service`. */
  readonly service: string;
  readonly level?: LoggerOptions['level'];
  /**
   * Where lines go. Services log JSON to stdout; the CLI logs to stderr so that stdout carries only
   * a command's output (operations.md).
   */
  readonly destination?: 'stdout' | 'stderr' | DestinationStream;
}

export function createLogger(options: CreateLoggerOptions): Logger {
  const destination =
    options.destination === undefined || options.destination === 'stdout'
      ? pino.destination({ fd: 1, sync: false })
      : options.destination === 'stderr'
        ? pino.destination({ fd: 2, sync: true })
        : options.destination;
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** A logger that discards everything, for tests that do not inspect logs. */
export function createSilentLogger(): Logger {
  return pino({ level: 'silent' });
}
