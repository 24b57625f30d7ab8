// The one-shot `stack run --rm --image REF [--network none] [--] COMMAND…` as root: bin/stack.js
// starts here instead of run-main.ts when one-shot-args.ts reads its command line as that form
// (scripts/bundle-cli.mjs bundles it as dist/bundle/one-shot.cjs). Its bundle holds what the
// one-shot runs and what renders its errors: ~0.5 MB, where run.cjs (commander, the stack
// file's loader, the `up` a service's one-off may need first) is ~2 MB, and reading, compiling
// and starting a bundle costs by its size (docs/cli.md, "The one-shot, fourth pass").

import { parseOneShotRun } from './one-shot-args.js';
import { runOneShot } from './one-shot-run.js';

const oneShot = parseOneShotRun(process.argv.slice(2));
if (!oneShot) throw new Error('dist/bundle/one-shot.cjs runs only `stack run --rm --image REF [--] COMMAND…`');
void runOneShot(oneShot);
