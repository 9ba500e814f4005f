import { createServer } from 'node:net';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCli } from './run-cli.ts';

/** A port nothing listens on: taken from the system, then let go. */
const closedPort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
    });
  });

async function run(args: string[], env: Record<string, string>) {
  let stderr = '';
  const sink = (append: (text: string) => void) =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        append(chunk.toString());
        done();
      },
    });
  const code = await runCli(args, {
    stdout: sink(() => {}),
    stderr: sink((t) => (stderr += t)),
    env: { LOG_LEVEL: 'silent', ...env },
  });
  return { code, stderr };
}

describe('the hint when a service is not there', () => {
  it('names PostgreSQL on whatever port DATABASE_URL gives, not only the default', async () => {
    const port = await closedPort();
    const result = await run(['snapshot', 'show'], { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/rollcall` });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      new RegExp(
        `^rollcall snapshot: PostgreSQL is not reachable \\(.*ECONNREFUSED 127\\.0\\.0\\.1:${port}.*\\); start it or set DATABASE_URL\\n$`,
      ),
    );
  });
});
