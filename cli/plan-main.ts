// `stack plan` alone: bin/stack.js starts here instead of cli/main.ts when the command is
// `plan` (scripts/bundle-cli.mjs bundles it as dist/bundle/plan.cjs), as it does for `run`
// and `build`. A plan is read, not applied: the CLI's start is a large share of it, and it
// should not register the other ~35 commands nor deserialize their code cache (issue 16's
// plan target). Same program, same `plan` registration and help examples.

import { registerPlan } from './commands/plan.js';
import { addHelpExamples } from './help-examples.js';
import { stackProgram } from './program.js';

const { program, globals } = stackProgram();
registerPlan(program, globals);
addHelpExamples(program);

// Not awaited at the top level: bundled as CommonJS, as cli/main.ts.
void program.parseAsync(process.argv);
