import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { capturedIo, runCli } from '@rollcall/cli';
import { closedPort, pollUntil, TEST_PSEUDONYM_KEY } from '@rollcall/testing';
import { expect, test } from 'vitest';
import { topologyInputs } from './support/topology-pipeline.ts';
import { accountingTotals } from './support/accounting-totals.ts';

const ROOT = resolve(import.meta.dirname, '..');

/**
 * Issue 18: `rollcall start --embedded` is a single-host deployment with Node alone. Started as an
 * operator would (its own process, DATABASE_URL and REDIS_URL on closed ports, no Docker), it
 * starts embedded PostgreSQL, says how the other commands reach it, serves /ready, stores what
 * `rollcall ingest` queues from another process, and stops with the server on SIGTERM, exit 0.
 */
test('rollcall start --embedded runs the workers, the API and the queues on embedded PostgreSQL', async () => {
  // Under the repository's var/ like the real one: the user the server switches to when run as
  // root cannot enter the system temp folder's 0700 folders.
  const embeddedDir = join(ROOT, 'var', `test-start-embedded-${process.pid}`);
  const dir = await mkdtemp(join(tmpdir(), 'rollcall-start-embedded-'));
  const apiPort = await closedPort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'services/cli/src/main.ts', 'start', '--embedded'], {
    cwd: ROOT,
    env: {
      ...process.env,
      DATABASE_URL: `postgres://postgres@127.0.0.1:${await closedPort()}/rollcall`,
      REDIS_URL: `redis://127.0.0.1:${await closedPort()}`,
      DOCKER_HOST: 'unix:///nonexistent/docker.sock',
      EMBEDDED_POSTGRES_DIR: embeddedDir,
      API_HOST: '127.0.0.1',
      API_PORT: String(apiPort),
      PSEUDONYM_KEY: TEST_PSEUDONYM_KEY,
      SNAPSHOT_DIR: join(dir, 'snapshots'),
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exit = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  try {
    await pollUntil(
      async () => `${stdout}${stderr}`.includes('rollcall running; SIGTERM or SIGINT stops it'),
      () => `start --embedded did not start: ${stderr.slice(-500)} ${stdout.slice(-500)}`,
      90_000,
    );
    expect(stderr).toMatch(/^Started embedded PostgreSQL 17 \(.*test-start-embedded-\d+, new, 127\.0\.0\.1:\d+, /m);
    const databaseUrl = /^other commands: DATABASE_URL=(\S+) QUEUE_BACKEND=postgres pnpm rollcall <command>$/m.exec(
      stderr,
    )?.[1];
    expect(databaseUrl).toMatch(/^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/rollcall$/);
    expect((await fetch(`http://127.0.0.1:${apiPort}/ready`)).status).toBe(200);

    // Another process, as the operator's shell: the line the server printed is all it needs.
    const env = {
      DATABASE_URL: databaseUrl ?? '',
      QUEUE_BACKEND: 'postgres',
      PSEUDONYM_KEY: TEST_PSEUDONYM_KEY,
      LOG_LEVEL: 'silent',
    };
    const file = join(dir, 'calls.ndjson');
    await writeFile(file, `${topologyInputs(50)['call-handling'].join('\n')}\n`);
    expect(await runCli(['ingest', '--feed', 'call-handling', file], capturedIo(env))).toBe(0);
    expect(await runCli(['drain', '--timeout', '60'], capturedIo(env))).toBe(0);
    const statusIo = capturedIo(env);
    await runCli(['status', '--format', 'json'], statusIo);
    const status = JSON.parse(statusIo.output().stdout) as {
      accounting: { feed: string; offered: number; stored: number; duplicate: number; rejected: number }[];
    };
    const calls = accountingTotals(status.accounting, 'call-handling');
    // 50 calls of two events, a duplicate line and one without an offset (rejected by ingest itself).
    expect([calls.offered, calls.stored, calls.duplicate, calls.rejected]).toEqual([102, 100, 1, 1]);

    child.kill('SIGTERM');
    expect(await exit).toEqual([0, null]);
  } finally {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await exit;
    }
    await rm(dir, { recursive: true, force: true });
    await rm(embeddedDir, { recursive: true, force: true });
  }
}, 180_000);
