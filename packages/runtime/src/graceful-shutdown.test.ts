import { spawn } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createLogger } from '@rollcall/logger';
import { describe, expect, it } from 'vitest';
import { createGracefulShutdown } from './graceful-shutdown.ts';

/** A logger whose lines are kept, parsed, for the test to read. */
function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({
    service: 'test',
    destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
  });
  return { lines, log };
}

const never = () => new Promise<never>(() => undefined);

describe('createGracefulShutdown', () => {
  it('abandons a step that hangs after its timeout, logs it, and runs the next one', async () => {
    const { lines, log } = capturingLogger();
    const shutdown = createGracefulShutdown(log, 50);
    const ran: string[] = [];
    shutdown.add({ name: 'hangs', run: never });
    shutdown.add({ name: 'closes', run: async () => ran.push('closes') });
    const started = performance.now();
    await shutdown.shutdown('test');
    expect(performance.now() - started).toBeGreaterThanOrEqual(49);
    expect(ran).toEqual(['closes']);
    expect(lines.map((line) => [line.level, line.msg, line.step ?? null])).toEqual([
      ['info', 'shutting down', null],
      ['warn', 'shutdown step timed out; continuing', 'hangs'],
      ['info', 'shutdown step done', 'closes'],
      ['info', 'shutdown complete', null],
    ]);
    expect(lines[1]).toMatchObject({ timeoutMs: 50 });
  });

  it('logs a step that throws and still runs the steps after it, once however often it is asked', async () => {
    const { lines, log } = capturingLogger();
    const shutdown = createGracefulShutdown(log, 1_000);
    const ran: string[] = [];
    shutdown.add({ name: 'first', run: async () => ran.push('first') });
    shutdown.add({
      name: 'breaks',
      run: async () => {
        throw new Error('redis already gone');
      },
    });
    shutdown.add({ name: 'last', run: async () => ran.push('last') });
    await Promise.all([shutdown.shutdown('SIGTERM'), shutdown.shutdown('again')]);
    await shutdown.done;
    expect(ran).toEqual(['first', 'last']);
    const failure = lines.find((line) => line.level === 'error');
    expect(failure).toMatchObject({
      step: 'breaks',
      msg: 'shutdown step failed; continuing',
      err: { message: 'redis already gone' },
    });
    expect(lines.filter((line) => line.msg === 'shutting down')).toHaveLength(1);
  });

  it('exits 0 once the steps are done after one signal, and 130 at once on a second', async () => {
    const { log } = capturingLogger();
    const signals = new EventEmitter();

    const calm = createGracefulShutdown(log, 1_000);
    const ran: string[] = [];
    calm.add({ name: 'quick', run: async () => ran.push('quick') });
    const calmExit = new Promise<number>((resolve) => calm.installSignalHandlers(resolve, signals));
    signals.emit('SIGTERM', 'SIGTERM');
    expect(await calmExit).toBe(0);
    expect(ran).toEqual(['quick']);
    signals.removeAllListeners();

    const stuck = createGracefulShutdown(log, 60_000);
    const stuckExits: number[] = [];
    let release!: () => void;
    stuck.add({ name: 'slow', run: () => new Promise<void>((resolve) => (release = resolve)) });
    stuck.installSignalHandlers((code) => stuckExits.push(code), signals);
    signals.emit('SIGINT', 'SIGINT');
    expect(stuckExits).toEqual([]);
    signals.emit('SIGTERM', 'SIGTERM');
    expect(stuckExits).toEqual([130]);
    release();
    await stuck.done;
  });

  it('in a real process, a second SIGTERM during a hung step exits with code 130', async () => {
    const moduleUrl = new URL('./graceful-shutdown.ts', import.meta.url).href;
    // A hung step bounded by 60 s: only the second signal can end the process this soon.
    const script = [
      `const { createGracefulShutdown } = await import(${JSON.stringify(moduleUrl)});`,
      `const { createLogger } = await import('@rollcall/logger');`,
      `const shutdown = createGracefulShutdown(createLogger({ service: 'child', destination: 'stderr' }), 60000);`,
      `shutdown.add({ name: 'hangs', run: () => new Promise(() => {}) });`,
      `shutdown.installSignalHandlers();`,
      `setInterval(() => {}, 3600000);`,
      `process.stderr.write('ready\\n');`,
    ].join('\n');
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.once('exit', (code, signal) => resolve({ code, signal })),
    );
    let stderr = '';
    const seen = (text: string) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (stderr.includes(text)) {
            child.stderr.off('data', check);
            resolve();
          }
        };
        child.stderr.on('data', check);
        check();
      });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      await seen('ready\n');
      child.kill('SIGTERM');
      await seen('"msg":"shutting down"');
      child.kill('SIGTERM');
      expect(await exited).toEqual({ code: 130, signal: null });
      expect(stderr).toContain('"msg":"second signal: exiting now"');
      expect(stderr).not.toContain('shutdown complete');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
