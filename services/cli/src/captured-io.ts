import { Writable } from 'node:stream';
import type { CommandIo } from './command-line.ts';

export interface CapturedIo extends CommandIo {
  /** Everything written so far to each stream. */
  output(): { readonly stdout: string; readonly stderr: string };
}

/**
 * Test-only (imported by `*.test.ts`, not by the CLI): the streams of a command run in this
 * process, kept as text, with `env` as its whole environment. Not a terminal, so progress is
 * logged rather than drawn.
 */
export function capturedIo(env: Record<string, string | undefined>): CapturedIo {
  const text = { stdout: '', stderr: '' };
  const sink = (stream: keyof typeof text) =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        text[stream] += chunk.toString();
        done();
      },
    });
  return { stdout: sink('stdout'), stderr: sink('stderr'), env, output: () => ({ ...text }) };
}
