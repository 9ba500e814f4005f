import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { bundleService } from '@rollcall/bundle';
import { TEST_PSEUDONYM_KEY } from '@rollcall/testing';
import { loadReferenceData } from '@rollcall/reference';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answeredCalls } from './support/call-events.ts';
import { PipelineHarness } from './support/pipeline-harness.ts';

// The deployed form of the services (`pnpm build`, the Dockerfile): plain JavaScript bundles
// beside the installed node_modules. They must do what the TypeScript sources do, including
// finding the files the sources find beside themselves (reference data, the git checkout).
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const run = promisify(execFile);
let harness: PipelineHarness;
let buildDir: string;
let worker: { entryFile: string };
let cli: { entryFile: string };
const children: ChildProcess[] = [];

beforeAll(async () => {
  harness = await PipelineHarness.start({ startWorkers: false });
  // Outside the checkout: the bundles' paths to node_modules and to the sources are relative.
  buildDir = await mkdtemp(join(tmpdir(), 'rollcall-bundles-'));
  worker = await bundleService({ entry: join(ROOT, 'services/worker/src/main.ts'), outdir: join(buildDir, 'worker') });
  cli = await bundleService({ entry: join(ROOT, 'services/cli/src/main.ts'), outdir: join(buildDir, 'cli') });
});
afterAll(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await harness?.close();
  if (buildDir) await rm(buildDir, { recursive: true, force: true });
});

const env = () => {
  const { ROLLCALL_CODE_VERSION: _fromDeployment, ...inherited } = process.env;
  return {
    ...inherited,
    DATABASE_URL: harness.database.url,
    REDIS_URL: harness.redis.url,
    QUEUE_PREFIX: harness.redis.prefix,
    PSEUDONYM_KEY: TEST_PSEUDONYM_KEY,
    SNAPSHOT_DIR: harness.snapshotDir,
    LOG_LEVEL: 'warn',
  };
};

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

describe('the bundled services', () => {
  it('the worker bundle stores a queue of events and stops cleanly on SIGTERM', async () => {
    await harness.offerEvents(answeredCalls(2_000), 500);
    const child = spawn(process.execPath, ['--enable-source-maps', worker.entryFile], {
      cwd: buildDir,
      env: env(),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await harness.drain(60_000);
    child.kill('SIGTERM');
    expect(await exited(child), stderr).toBe(0);
    const stored = await harness.db
      .selectFrom('events')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(4_000); // each call is presented and answered
  });

  it('the CLI bundle reads the reference files shipped beside the sources', async () => {
    const { stdout } = await run(process.execPath, [cli.entryFile, 'migrate'], { cwd: buildDir, env: env() });
    expect(stdout.trim()).toBe(`database schema up to date; reference data ${loadReferenceData().version} current`);
  });

  it('the CLI bundle replays on two lanes, its second thread compiled beside it, finding what the workers wrote', async () => {
    // Runs after the worker bundle's test: its 4,000 stored events are what is replayed.
    const { stdout } = await run(process.execPath, [cli.entryFile, 'replay', '--lanes', '2', '--format', 'json'], {
      cwd: buildDir,
      env: env(),
    });
    const result = JSON.parse(stdout) as { events: number; entities: number; changedRows: number };
    expect(result).toMatchObject({ events: 4_000, entities: 2_000, changedRows: 0 });
  });

  it('the CLI bundle publishes the snapshot the sources publish, with the checkout as its code version', async () => {
    const { stdout } = await run(
      process.execPath,
      [cli.entryFile, 'snapshot', '--as-of', '2024-04-01', '--force', 'avon-and-somerset'],
      {
        cwd: buildDir,
        env: env(),
        maxBuffer: 64 * 1024 * 1024,
      },
    );
    const fromBundle = JSON.parse(stdout) as { contentHash: string; codeVersion: string; revision: number };
    const fromSources = await harness.publish('avon-and-somerset', '2024-04-01');
    expect(fromSources.created).toBe(false);
    expect(fromBundle.contentHash).toBe(fromSources.document.contentHash);
    expect(fromBundle.codeVersion).toMatch(/^[0-9a-f]{12}(-dirty)?$/);
  });
});
