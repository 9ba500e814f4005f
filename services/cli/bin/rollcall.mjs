#!/usr/bin/env node
// The `rollcall` command: runs the TypeScript sources through tsx, as `pnpm rollcall` does, so
// `pnpm --filter @rollcall/cli exec rollcall status` or a linked install work without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
