import { readFile, rm } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

/** Workspace packages export TypeScript source: they are compiled into the bundle. */
const WORKSPACE_SCOPE = '@rollcall/';
const BUILTINS = new Set(builtinModules);

/**
 * Worker threads Rollcall starts, compiled as entry points of every bundle beside `main.mjs`:
 * the code starting one finds it by name beside the bundle (`rollcallBundleUrl`, which each
 * bundled file's banner sets), not at its TypeScript source, which only runs through tsx.
 */
const THREAD_ENTRIES: Readonly<Record<string, string>> = {
  'replay-fold-thread': fileURLToPath(new URL('../../../packages/store/src/replay-fold-thread.ts', import.meta.url)),
};

export interface BundleServiceOptions {
  /** The service's entry point, e.g. `services/worker/src/main.ts`. */
  readonly entry: string;
  /** Where `main.mjs`, its source map and its lazily loaded chunks go, e.g. `services/worker/dist`. */
  readonly outdir: string;
}

export interface BundleServiceResult {
  readonly entryFile: string;
  readonly files: readonly string[];
}

/** `../x` or `./x` with forward slashes: an import specifier from `fromDir` to `file`. */
function relativeSpecifier(fromDir: string, file: string): string {
  const relative = path.relative(fromDir, file).split(path.sep).join('/');
  return relative.startsWith('.') ? relative : `./${relative}`;
}

/**
 * Third-party packages are not bundled: some read their own files at run time (bull-board's UI,
 * pino's transports), and pnpm keeps each one where only the packages that declare it can see
 * it. Each import is resolved here, with Node's conditions, to the file Node itself would load,
 * and kept as a relative import of that file: the bundle runs beside the installed
 * `node_modules`, and every package is still loaded once, from its real path.
 */
function keepDependenciesExternal(outdir: string): Plugin {
  return {
    name: 'keep-dependencies-external',
    setup(builder) {
      builder.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData === 'resolving-dependency') return undefined;
        if (args.path.startsWith(WORKSPACE_SCOPE)) return undefined;
        if (args.path.startsWith('node:') || BUILTINS.has(args.path)) return { path: args.path, external: true };
        const resolved = await builder.resolve(args.path, {
          kind: args.kind,
          importer: args.importer,
          resolveDir: args.resolveDir,
          pluginData: 'resolving-dependency',
        });
        if (resolved.errors.length > 0) return { errors: resolved.errors };
        return { path: relativeSpecifier(outdir, resolved.path), external: true };
      });
    },
  };
}

/**
 * Code that finds files beside its source (`new URL('../data/', import.meta.url)`: reference
 * data, the repository root for the code version) must keep finding them once it is compiled
 * into `dist/`: each source file's `import.meta.url` becomes that file's own URL, computed from
 * the bundle's location so the checkout can move.
 */
function keepSourceFileUrls(outdir: string): Plugin {
  return {
    name: 'keep-source-file-urls',
    setup(builder) {
      builder.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
        const source = await readFile(args.path, 'utf8');
        if (!source.includes('import.meta.url')) return undefined;
        const ownUrl = `new URL(${JSON.stringify(relativeSpecifier(outdir, args.path))}, import.meta.url).href`;
        return { contents: source.replaceAll('import.meta.url', ownUrl), loader: 'ts' };
      });
    },
  };
}

/**
 * Compiles a service and the workspace packages it uses into plain JavaScript, so a deployed
 * process runs `node dist/main.mjs` without tsx transpiling (and holding) every module in
 * memory. Modules imported with `import()` (the roles a process does not run) become chunks of
 * their own and are loaded only when used.
 */
export async function bundleService(options: BundleServiceOptions): Promise<BundleServiceResult> {
  const outdir = path.resolve(options.outdir);
  // Chunk names carry content hashes: a previous build's chunks would otherwise pile up beside these.
  await rm(outdir, { recursive: true, force: true });
  const result = await build({
    entryPoints: { main: path.resolve(options.entry), ...THREAD_ENTRIES },
    // Where the bundle is, for the code that starts its threads (`THREAD_ENTRIES`): every file of
    // it sits in this one folder. Not rewritten by `keepSourceFileUrls`, which sees sources only.
    banner: { js: 'globalThis.rollcallBundleUrl ??= import.meta.url;' },
    outdir,
    outExtension: { '.js': '.mjs' },
    // Chunks sit beside main.mjs: the source-file URLs above are relative to that one folder.
    chunkNames: '[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
    plugins: [keepDependenciesExternal(outdir), keepSourceFileUrls(outdir)],
  });
  const files = Object.keys(result.metafile.outputs).map((file) => path.resolve(file));
  return { entryFile: path.join(outdir, 'main.mjs'), files };
}
