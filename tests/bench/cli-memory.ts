import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { simulateForceMonth } from '@rollcall/simulator';
import { deleteKeysWithPrefix } from '@rollcall/queue';
import type { BenchContext } from './bench-context.ts';
import { exitOf, sampleMemory, spawnRollcall } from './process-memory.ts';

/** Writes an NDJSON file of about `megabytes` MB of call-handling events with unique ids. */
async function writeLargeFile(path: string, megabytes: number): Promise<number> {
  const template = simulateForceMonth({
    forceId: 'avon-and-somerset',
    month: '2024-01',
    scale: 0.2,
    feeds: ['call-handling'],
  })['call-handling'];
  const out = createWriteStream(path);
  let bytes = 0;
  let lines = 0;
  for (let copy = 0; bytes < megabytes * 1_048_576; copy++) {
    for (const event of template) {
      const line = `${JSON.stringify({ ...event, eventId: `${event.eventId}-x${copy}` })}\n`;
      bytes += line.length;
      lines += 1;
      if (!out.write(line)) await once(out, 'drain');
      if (bytes >= megabytes * 1_048_576) break;
    }
  }
  out.end();
  await once(out, 'finish');
  return lines;
}

/**
 * The ingest command on a large file: its resident memory sampled while it streams the file onto
 * the queue. Flat memory means it streams; a file held whole would show as a climb to its size.
 */
export async function measureCliMemory(context: BenchContext, megabytes: number) {
  const path = join(context.dir, `ingest-${megabytes}mb.ndjson`);
  const lines = await writeLargeFile(path, megabytes);
  const { size } = await stat(path);
  const prefix = `${context.env.QUEUE_PREFIX}-cli`;
  const started = performance.now();
  const child = spawnRollcall('cli', ['ingest', '--feed', 'call-handling', path], {
    ...context.env,
    QUEUE_PREFIX: prefix,
  });
  const samples = await sampleMemory(child);
  const code = await exitOf(child);
  const seconds = (performance.now() - started) / 1000;
  await deleteKeysWithPrefix(context.producer, prefix);
  if (code !== 0) throw new Error(`rollcall ingest exited ${code}`);
  const at = (fraction: number) =>
    samples[Math.min(samples.length - 1, Math.floor(fraction * (samples.length - 1)))]?.rss ?? Number.NaN;
  return {
    fileMb: size / 1_048_576,
    lines,
    seconds,
    linesPerSecond: lines / seconds,
    rssMb: {
      at10: at(0.1),
      at25: at(0.25),
      at50: at(0.5),
      at75: at(0.75),
      end: at(1),
      max: Math.max(...samples.map((s) => s.rss)),
    },
  };
}
