import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleService } from '@rollcall/bundle';

export const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Resident memory of a process in MB from /proc (Linux): current, and peak since it started. */
export function residentMemoryMb(pid: number): { rss: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

export type BuiltService = 'worker' | 'cli';

/** Builds the services the benchmark runs, as `pnpm build` does for a deployment. */
export async function buildServices(services: readonly BuiltService[]): Promise<void> {
  for (const service of services) {
    await bundleService({
      entry: join(REPOSITORY_ROOT, 'services', service, 'src/main.ts'),
      outdir: join(REPOSITORY_ROOT, 'services', service, 'dist'),
    });
  }
}

/**
 * A Rollcall service's bundle (`services/<service>/dist/main.mjs`) in a process of its own, as
 * deployed. With `BENCH_PROFILE_DIR` set, each process writes a V8 CPU profile there when it exits
 * (`--cpu-prof`, which NODE_OPTIONS may not carry): where a worker's time goes under the real load.
 */
export function spawnRollcall(
  service: BuiltService,
  args: readonly string[],
  env: Record<string, string>,
): ChildProcess {
  const profileDir = process.env.BENCH_PROFILE_DIR;
  const profiling = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const entry = join('services', service, 'dist/main.mjs');
  return spawn(process.execPath, ['--enable-source-maps', ...profiling, entry, ...args], {
    cwd: REPOSITORY_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function exitOf(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null
    ? Promise.resolve(child.exitCode)
    : new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Samples a process's memory every `everyMs` until it exits. */
export function sampleMemory(child: ChildProcess, everyMs = 250): Promise<{ at: number; rss: number }[]> {
  const samples: { at: number; rss: number }[] = [];
  const started = performance.now();
  const timer = setInterval(() => {
    const memory = child.pid === undefined ? undefined : residentMemoryMb(child.pid);
    if (memory) samples.push({ at: performance.now() - started, rss: memory.rss });
  }, everyMs);
  return exitOf(child).then(() => {
    clearInterval(timer);
    return samples;
  });
}
