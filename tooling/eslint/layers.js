// The allowed import directions between workspace packages (docs/architecture.md, section 1).
// Each entry lists the @rollcall packages a package's source may import; `tests` adds what its
// test files and test kits may import on top. Anything else is a lint error, so the layout cannot
// drift back: a new arrow is a one-line change here, seen in review.

/** @type {Record<string, { folder: string, imports: string[], tests?: string[] }>} */
export const layers = {
  // contract and the leaves: no internal dependencies
  contract: { folder: 'packages/contract', imports: [] },
  calendar: { folder: 'packages/calendar', imports: [] },
  reference: { folder: 'packages/reference', imports: [] },
  config: { folder: 'packages/config', imports: [] },
  logger: { folder: 'packages/logger', imports: [] },
  'backing-services': { folder: 'packages/backing-services', imports: [] },
  // pure
  measures: { folder: 'packages/measures', imports: ['calendar', 'contract'] },
  lifecycles: { folder: 'packages/lifecycles', imports: ['calendar', 'contract'] },
  simulator: { folder: 'packages/simulator', imports: ['calendar', 'contract'] },
  // in
  // db, intake and queue are below testing (it builds on them): their tests use their own test
  // kit (`test/`, exported as `<package>/testing`), so no package depends on another for its tests.
  db: { folder: 'packages/db', imports: ['reference'], tests: [] },
  intake: {
    folder: 'packages/intake',
    imports: ['calendar', 'config', 'contract', 'db', 'lifecycles'],
    tests: [],
  },
  queue: { folder: 'packages/queue', imports: ['config', 'contract', 'logger'], tests: [] },
  importers: {
    folder: 'packages/importers',
    imports: ['calendar', 'contract', 'db', 'intake', 'queue'],
    tests: ['logger', 'testing'],
  },
  // store: queue -> database
  store: {
    folder: 'packages/store',
    imports: ['calendar', 'contract', 'db', 'intake', 'lifecycles', 'logger', 'queue'],
    tests: ['testing'],
  },
  // out
  publishing: {
    folder: 'packages/publishing',
    imports: ['calendar', 'config', 'contract', 'db', 'logger', 'measures', 'queue', 'runtime'],
    tests: ['store', 'testing'],
  },
  scheduling: { folder: 'packages/scheduling', imports: ['calendar', 'db', 'logger', 'queue'], tests: ['testing'] },
  ops: { folder: 'packages/ops', imports: ['config', 'contract', 'db', 'logger', 'queue'], tests: ['testing'] },
  api: {
    folder: 'packages/api',
    imports: ['calendar', 'config', 'dashboard', 'db', 'logger', 'measures', 'ops', 'publishing', 'queue', 'runtime'],
    tests: ['store', 'testing'],
  },
  // the browser dashboard: talks to the API over HTTP only
  dashboard: { folder: 'packages/dashboard', imports: [] },
  // running
  runtime: {
    folder: 'packages/runtime',
    imports: ['calendar', 'config', 'db', 'logger', 'ops', 'queue'],
    tests: ['testing'],
  },
  testing: {
    folder: 'packages/testing',
    imports: ['backing-services', 'calendar', 'config', 'db', 'intake', 'queue', 'reference'],
  },
  // services: each owns its composition
  'worker-service': { folder: 'services/worker', imports: ['api', 'intake', 'ops', 'runtime', 'store'] },
  'scheduler-service': { folder: 'services/scheduler', imports: ['api', 'ops', 'publishing', 'runtime', 'scheduling'] },
  'api-service': { folder: 'services/api', imports: ['api', 'runtime'] },
  cli: {
    folder: 'services/cli',
    imports: [
      'api',
      'api-service',
      'backing-services',
      'calendar',
      'config',
      'contract',
      'db',
      'importers',
      'intake',
      'logger',
      'measures',
      'ops',
      'publishing',
      'queue',
      'reference',
      'runtime',
      'scheduler-service',
      'simulator',
      'store',
      'worker-service',
    ],
    tests: ['testing'],
  },
  bundle: { folder: 'tooling/bundle', imports: [] },
  'eslint-config': { folder: 'tooling/eslint', imports: [] },
};

/** Packages only the end-to-end suites, the benchmark and test kits may import besides their own. */
export const endToEnd = { folder: 'tests', imports: Object.keys(layers) };
