// `stack up` alone: bin/stack.js starts here instead of cli/main.ts when the command is `up`
// (scripts/bundle-cli.mjs bundles it as dist/bundle/up.cjs), as it does for `run`, `build`
// and `plan`. A first `up -d` meets its supervisor once the CLI has loaded, and the
// supervisor's own start runs meanwhile on the other core: the other ~35 commands'
// registrations and code cache were CPU on that path. Same program, same `up` registration
// and help examples.

import { registerUp } from './commands/up.js';
import { addHelpExamples } from './help-examples.js';
import { stackProgram } from './program.js';

const { program, globals } = stackProgram();
registerUp(program, globals);
addHelpExamples(program);

// Not awaited at the top level: bundled as CommonJS, as cli/main.ts.
void program.parseAsync(process.argv);
