// `stack run`: bin/stack.js starts here instead of cli/main.ts when the command is `run`
// (scripts/bundle-cli.mjs bundles it as dist/bundle/run.cjs). The one-shot form, `run --rm
// --image REF [--network none] [--] COMMAND…` (one-shot-args.ts), goes straight to the run
// action (one-shot-run.ts); every other command line goes to commander with `run` alone
// registered (run-program.ts). Each is loaded only when chosen: esbuild turns the dynamic
// imports into module initialisers of this one bundle.

import { parseOneShotRun } from './one-shot-args.js';

// Root only: an ordinary user's command runs again in the user's namespaces
// (needs-root.ts), which the program's hooks do.
const oneShot = process.geteuid?.() === 0 ? parseOneShotRun(process.argv.slice(2)) : undefined;

// Not awaited at the top level: bundled as CommonJS, as cli/main.ts.
if (oneShot) void import('./one-shot-run.js').then((m) => m.runOneShot(oneShot));
else void import('./run-program.js').then((m) => m.parseRunProgram(process.argv));
