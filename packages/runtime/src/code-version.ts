import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The code version a snapshot records: `ROLLCALL_CODE_VERSION` when the deployment sets it, else
 * the git commit of this checkout (with `-dirty` for uncommitted changes), else the root
 * package version.
 */
export function codeVersion(): string {
  if (cached !== undefined) return cached;
  const fromEnv = process.env.ROLLCALL_CODE_VERSION;
  if (fromEnv) return (cached = fromEnv);
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  try {
    const commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString()
      .trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'ignore'],
    })
      .toString()
      .trim();
    return (cached = dirty ? `${commit}-dirty` : commit);
  } catch {
    const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version?: string };
    return (cached = `rollcall@${pkg.version ?? '0.0.0'}`);
  }
}
