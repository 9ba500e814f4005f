import { bundleService } from './bundle-service.ts';

/**
 * A service's `build` script: `tsx ../../tooling/bundle/src/main.ts`, run in the service's
 * folder, compiles `src/main.ts` into `dist/main.mjs`.
 */
const { entryFile, files } = await bundleService({ entry: 'src/main.ts', outdir: 'dist' });
process.stdout.write(`built ${entryFile} (${files.length} files)\n`);
