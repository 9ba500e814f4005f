import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { heapGrowingFlagFor, WORKER_HEAP_GROWING_PERCENT } from './worker-heap.ts';

const run = promisify(execFile);
const MODULE = fileURLToPath(new URL('./worker-heap.ts', import.meta.url));

/**
 * A worker's allocation in small: 20 MB alive throughout, and transactions of 4,000 events held
 * while eight more are made, then dropped (so they are promoted, then die in the old generation).
 * Prints the peak of V8's heap, MB. Run in a process of its own: the flag is process-wide.
 */
const WORKLOAD = `
  const { keepWorkerHeapNearItsLiveData } = await import(${JSON.stringify(MODULE)});
  if (process.argv.includes('keep')) keepWorkerHeapNearItsLiveData();
  const live = Array.from({ length: 200_000 }, (_, i) => ({ i, s: 'x'.repeat(20) + i }));
  let peak = 0;
  const held = [];
  for (let round = 0; round < 300; round++) {
    held.push(Array.from({ length: 4_000 }, (_, i) => ({ id: round + '-' + i, body: JSON.stringify({ a: i, b: 'y'.repeat(100) }) })));
    if (held.length > 8) held.shift();
    await new Promise((resolve) => setImmediate(resolve));
    peak = Math.max(peak, process.memoryUsage().heapTotal);
  }
  console.log(Math.round(peak / 1e6), live.length);
`;

async function peakHeapMb(...args: string[]): Promise<number> {
  const { stdout } = await run(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', WORKLOAD, '--', ...args],
    {
      env: { ...process.env, NODE_OPTIONS: '' },
    },
  );
  return Number(stdout.trim().split(' ')[0]);
}

describe('the worker heap', () => {
  it('keeps the heap of a worker-like workload well below what V8 grows it to by itself', async () => {
    const [byItself, kept] = await Promise.all([peakHeapMb(), peakHeapMb('keep')]);
    // Measured: 267-278 MB by itself, 151-165 kept; the live data is about 20 MB of it.
    expect(kept).toBeGreaterThan(20);
    expect(kept).toBeLessThan(byItself * 0.8);
  }, 60_000);

  it("leaves an operator's choice of the growing factor alone", () => {
    expect(heapGrowingFlagFor(['--heap-growing-percent=300'])).toBeUndefined();
    expect(heapGrowingFlagFor(['--max-old-space-size=512', '--heap_growing_percent=50'])).toBeUndefined();
    expect(heapGrowingFlagFor(['--max-old-space-size=512'])).toBe(
      `--heap-growing-percent=${WORKER_HEAP_GROWING_PERCENT}`,
    );
  });
});
