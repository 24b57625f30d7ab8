// `stack run` alone: bin/stack.js starts here instead of cli/main.ts when the command is
// `run` (scripts/bundle-cli.mjs bundles it as dist/bundle/run.cjs). A one-off container's
// start is the whole command, so it should not pay for registering the other ~35 commands
// and for the code cache of all of them. The program is the same one (cli/program.ts), with
// the same `run` registration and help examples, so the command line means the same.

import { registerRun } from './commands/run.js';
import { addHelpExamples } from './help-examples.js';
import { stackProgram } from './program.js';

const { program, globals } = stackProgram();
registerRun(program, globals);
addHelpExamples(program);

// Not awaited at the top level: bundled as CommonJS, as cli/main.ts.
void program.parseAsync(process.argv);
