// `stack completion bash|zsh` prints a completion script; the script calls back the hidden
// `stack __complete -- WORDS…`, which prints the candidates for the last word. The callback
// runs at every Tab: it registers nothing of its own and loads the stack file only when a
// service name is wanted (complete-action.ts).

import { Argument, type Command } from 'commander';
import { runCommand } from '../errors.js';

export function registerCompletion(program: Command): void {
  program
    .command('completion')
    .description('print a shell completion script (commands, flags, service names)')
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(['bash', 'zsh']))
    .action((shell: 'bash' | 'zsh') =>
      runCommand(async () => {
        const { BASH_SCRIPT, ZSH_SCRIPT } = await import('../completion/shell-scripts.js');
        process.stdout.write(shell === 'bash' ? BASH_SCRIPT : ZSH_SCRIPT);
      }),
    );
  program
    .command('__complete', { hidden: true })
    .description('the candidates for the last word (called by the completion scripts)')
    .argument('[words...]')
    .helpOption(false)
    .action((words: string[]) =>
      runCommand(async () => (await import('./complete-action.js')).complete(program, words)),
    );
}
