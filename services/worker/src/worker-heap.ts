import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what the last full collection found alive, in
 * per cent: the next full collection starts at twice the live heap.
 *
 * Why (issue 19): a storage transaction holds up to 4,000 events while PostgreSQL works on them,
 * long enough for the young generation's collections to promote them all, so the old generation
 * fills with transactions already committed. V8 sizes its next limit from its own speed, up to four
 * times the live heap, and a worker holding eight jobs of 1,000 per feed peaked at 318 MB of
 * resident memory (the bar is 300) with about 50 MB alive. At twice the live heap it peaked at
 * about 200 MB, for 0-4 % more of the worker's CPU (`pnpm bench --quick --ingest-only`, run side by
 * side); at 1.5 times, 190 MB for 9 % more.
 */
export const WORKER_HEAP_GROWING_PERCENT = 100;

/**
 * The flag to set in a process started with `execArgv`: none when whoever started Node chose a
 * growing factor (`node --heap-growing-percent=300 ...`; Node refuses the flag in NODE_OPTIONS),
 * which then stands.
 */
export function heapGrowingFlagFor(execArgv: readonly string[]): string | undefined {
  const chosen = execArgv.some((option) => /^--heap[-_]growing[-_]percent(=|$)/.test(option));
  return chosen ? undefined : `--heap-growing-percent=${WORKER_HEAP_GROWING_PERCENT}`;
}

/**
 * Sets the growing factor above for this process, unless an operator chose one. V8 reads the flag
 * each time it sizes the heap after a full collection, so setting it once the process runs takes
 * effect at the next one. Returns the flag set, if any.
 */
export function keepWorkerHeapNearItsLiveData(): string | undefined {
  const flag = heapGrowingFlagFor(process.execArgv);
  if (flag !== undefined) setFlagsFromString(flag);
  return flag;
}
