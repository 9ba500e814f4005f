import { createLogger } from '@rollcall/logger';
import { describe, expect, it } from 'vitest';
import { capturedIo } from './captured-io.ts';
import { createProgressReporter } from './progress-reporter.ts';

/** A logger whose JSON lines are kept, as `{ msg, ...fields }` without time and service. */
function keptLog() {
  const lines: Record<string, unknown>[] = [];
  const log = createLogger({
    service: 'test',
    destination: {
      write(line: string) {
        const { time: _time, service: _service, level: _level, ...rest } = JSON.parse(line) as Record<string, unknown>;
        lines.push(rest);
      },
    },
  });
  return { log, lines };
}

describe('createProgressReporter', () => {
  it('off a terminal, logs at most one line per interval, and always the last', () => {
    const { log, lines } = keptLog();
    let now = 1_700_000_000_000;
    const progress = createProgressReporter(capturedIo({}), log, {
      label: 'ingest dvpo',
      total: 100,
      unit: 'bytes',
      logEveryMs: 5_000,
      now: () => now,
    });
    progress.update(10, { accepted: 3 });
    now += 4_999;
    progress.update(40);
    now += 1;
    progress.update(50, { accepted: 12 });
    progress.update(100, { accepted: 30 });
    progress.stop();
    expect(lines).toEqual([
      { task: 'ingest dvpo', done: 10, total: 100, unit: 'bytes', accepted: 3, msg: 'progress' },
      { task: 'ingest dvpo', done: 50, total: 100, unit: 'bytes', accepted: 12, msg: 'progress' },
      { task: 'ingest dvpo', done: 100, total: 100, unit: 'bytes', accepted: 30, msg: 'progress' },
    ]);
  });

  it('takes a corrected total, off a terminal and on one', () => {
    const { log, lines } = keptLog();
    const progress = createProgressReporter(capturedIo({}), log, { label: 'replay events', total: 90, unit: 'events' });
    progress.setTotal(120);
    progress.update(120);
    expect(lines).toEqual([{ task: 'replay events', done: 120, total: 120, unit: 'events', msg: 'progress' }]);

    const io = capturedIo({});
    Object.assign(io.stderr, { isTTY: true, columns: 120 });
    const bar = createProgressReporter(io, log, { label: 'replay events', total: 4, unit: 'events' });
    bar.update(4);
    bar.setTotal(8);
    bar.update(6);
    bar.stop();
    const frames = io
      .output()
      .stderr.split('\x1B[1G')
      .map((frame) => frame.replace(/\x1B(\[[0-9;?]*[A-Za-z]|[78])/g, '').trim());
    expect(frames.filter(Boolean).at(-1)).toMatch(/ 75% \| 6\/8 events/);
  });

  it('on a terminal, draws a bar on stderr and logs nothing', () => {
    const { log, lines } = keptLog();
    const io = capturedIo({});
    Object.assign(io.stderr, { isTTY: true, columns: 120 });
    const progress = createProgressReporter(io, log, { label: 'drain feed queues', total: 8, unit: 'jobs' });
    progress.update(4, { waiting: 4 });
    progress.stop();
    // Each redraw starts by moving to column 1 (ESC [ 1 G); the last frame is what stays on screen.
    const frames = io
      .output()
      .stderr.split('\x1B[1G')
      .map((frame) => frame.replace(/\x1B(\[[0-9;?]*[A-Za-z]|[78])/g, '').trim());
    expect(frames.filter(Boolean).at(-1)).toBe(
      `drain feed queues      [${'█'.repeat(14)}${'░'.repeat(14)}] 50% | 4/8 jobs | waiting 4`,
    );
    expect(lines).toEqual([]);
  });
});
