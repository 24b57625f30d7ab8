// `stack run` alone (cli/run-main.ts loads this for every `run` command line but the
// one-shot form): a one-off container's start is the whole command, so it should not pay
// for registering the other ~35 commands and for the code cache of all of them. The program
// is the same one (cli/program.ts), with the same `run` registration and help examples, so
// the command line means the same.

import { registerRun } from './commands/run.js';
import { addHelpExamples } from './help-examples.js';
import { stackProgram } from './program.js';

export function parseRunProgram(argv: string[]): Promise<unknown> {
  const { program, globals } = stackProgram();
  registerRun(program, globals);
  addHelpExamples(program);
  return program.parseAsync(argv);
}
