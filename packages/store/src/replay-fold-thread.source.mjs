// A replay lane's thread when Rollcall runs from its TypeScript source (tests, `pnpm rollcall`,
// the benchmarks): tsx registered first, as bin/rollcall.mjs does, then the thread itself. A
// worker thread does not inherit the loader its process was started with, and `--import` in a
// worker's execArgv does not register one on Node 20. Bundled, the thread is compiled instead
// (`replay-fold-thread.mjs` beside the bundle: `laneThreadEntry`).
import { register } from 'tsx/esm/api';

register();
await import('./replay-fold-thread.ts');
