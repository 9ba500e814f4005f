import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A wrong use of a command: printed as one line, exit code 2 (the usual "usage" code). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** A command that ran and failed: printed as one line, exit code 1. */
export class CommandFailed extends Error {
  override readonly name = 'CommandFailed';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Streams a command writes to: stdout carries only output, stderr logs and progress. */
export interface CommandIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly env: Record<string, string | undefined>;
}

/**
 * Parses a command's options strictly: an unknown option or a missing value is a UsageError
 * naming it, never silently ignored.
 */
export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(
  args: readonly string[],
  options: T,
  command: string,
) {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(`${command}: ${(error as Error).message.replace(/\. To specify.*$/, '')}`);
  }
}

export function requireOne<T extends string>(value: string | undefined, allowed: readonly T[], what: string): T {
  if (value === undefined || !(allowed as readonly string[]).includes(value)) {
    throw new UsageError(
      `${what} must be one of ${allowed.join(', ')}${value === undefined ? '' : ` (got ${JSON.stringify(value)})`}`,
    );
  }
  return value as T;
}

export function positiveInteger(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0)
    throw new UsageError(`${what} must be a positive whole number (got ${JSON.stringify(value)})`);
  return number;
}

export function writeLine(stream: NodeJS.WritableStream, text = ''): void {
  stream.write(`${text}\n`);
}
