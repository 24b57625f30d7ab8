// `stack config [--format yaml|json] [-q]`: the file as stack understands it, fully
// resolved, or only its validation (-q).

import type { Command } from 'commander';
import YAML from 'yaml';
import { runCommand } from '../errors.js';
import { loadStackFiles, type GlobalOptions } from '../stack-file.js';

export function registerConfig(program: Command, globals: () => GlobalOptions): void {
  program
    .command('config')
    .description('validate the stack file and print it resolved')
    .option('--format <format>', 'yaml or json', 'yaml')
    .option('-q, --quiet', 'only validate')
    .action((opts: { format: string; quiet?: boolean }) =>
      runCommand(async () => {
        const stack = loadStackFiles(globals());
        if (opts.quiet) return;
        const { file: _file, ...model } = stack;
        const plain = JSON.parse(JSON.stringify({ ...model, services: model.services.map(({ pos: _pos, ...s }) => s) }));
        process.stdout.write(opts.format === 'json' ? JSON.stringify(plain, null, 2) + '\n' : YAML.stringify(plain));
      }),
    );
}
