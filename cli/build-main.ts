// `stack build` alone: bin/stack.js starts here instead of cli/main.ts when the command is
// `build` (scripts/bundle-cli.mjs bundles it as dist/bundle/build.cjs), as it does for `run`
// (cli/run-main.ts). A rebuild after one source file changed is a few hundred ms, and the
// CLI's start is its largest share: it should not register the other ~35 commands nor
// deserialize their code cache. Same program, same `build` registration and help examples.

import { registerBuild } from './commands/build.js';
import { addHelpExamples } from './help-examples.js';
import { stackProgram } from './program.js';

const { program, globals } = stackProgram();
registerBuild(program, globals);
addHelpExamples(program);

// Not awaited at the top level: bundled as CommonJS, as cli/main.ts.
void program.parseAsync(process.argv);
