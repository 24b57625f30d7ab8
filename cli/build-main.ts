// `stack build` alone: bin/stack.js starts here instead of cli/main.ts when the command is
// `build` (scripts/bundle-cli.mjs bundles it as dist/bundle/build.cjs), as it does for `run`
// (cli/run-main.ts). A rebuild after one source file changed is a few hundred ms, and the
// CLI's start is its largest share: it should not register the other ~35 commands nor
// deserialize their code cache. Same program, same `build` registration and help examples.

import { registerBuild } from './commands/build.js';
import { addHelpExamples } from './help-examples.js';
import { stackProgram } from './program.js';
import { exitAfterOutput } from './exit-after-output.js';

const { program, globals } = stackProgram();
registerBuild(program, globals);
addHelpExamples(program);

// Not awaited at the top level: bundled as CommonJS, as cli/main.ts. Once the command has
// settled, everything the build started is done (build-image.ts waits for the steps'
// removals and cache entries; the code is set by runCommand): exiting then skips the wait for
// the event loop to drain and V8's teardown of the heap, ~8 ms of a one-file rebuild's
// ~230. Not before stdout and stderr are written out, though (exit-after-output.ts).
void program.parseAsync(process.argv).then(() => exitAfterOutput());
