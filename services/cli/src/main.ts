import { runCli } from './run-cli.ts';

/** `rollcall`: the operator's command line (`pnpm rollcall <command>`). */
const code = await runCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
// Flush stdout before exiting: a piped `--format json` must arrive whole.
process.stdout.write('', () => process.exit(code));
