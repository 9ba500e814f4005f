import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export interface DashboardAssets {
  readonly script: string;
  readonly style: string;
  /** Short content hashes, put in the asset URLs so a new build is never read from a stale cache. */
  readonly scriptVersion: string;
  readonly styleVersion: string;
}

const ENTRY = fileURLToPath(new URL('./client/main.ts', import.meta.url));

const versionOf = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 12);

/**
 * Builds the browser code (TypeScript and Apache ECharts, about 1 MB minified) with esbuild, in
 * memory. Built on first use and kept for the life of the process: there is no build step to
 * forget, so `pnpm test`, `pnpm demo` and a fresh clone serve the current source, and a build
 * takes under a second (decision 36 of docs/decisions.md).
 */
async function buildAssets(): Promise<DashboardAssets> {
  const result = await build({
    entryPoints: [ENTRY],
    bundle: true,
    minify: true,
    format: 'iife',
    target: ['es2020'],
    platform: 'browser',
    write: false,
    outdir: 'out',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const script = result.outputFiles.find((file) => file.path.endsWith('.js'))?.text;
  const style = result.outputFiles.find((file) => file.path.endsWith('.css'))?.text;
  if (script === undefined || style === undefined)
    throw new Error('the dashboard build produced no script or no style');
  return { script, style, scriptVersion: versionOf(script), styleVersion: versionOf(style) };
}

let built: Promise<DashboardAssets> | undefined;

/** The built assets; the first call builds them, later calls share that build (a failed one is retried). */
export function dashboardAssets(): Promise<DashboardAssets> {
  if (built === undefined) {
    built = buildAssets();
    built.catch(() => {
      built = undefined;
    });
  }
  return built;
}
