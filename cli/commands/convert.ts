// `stack convert --format kubernetes|helm [-o DIR]`: the stack as manifests for a
// Kubernetes cluster (docker compose's `bridge convert`, kompose's job), with a located
// warning for each thing that cannot carry over (an error with --strict).

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { GlobalOptions } from '../stack-file.js';
import type { ConvertCommandOptions } from './convert-action.js';

export function registerConvert(program: Command, globals: () => GlobalOptions): void {
  program
    .command('convert')
    .description('convert the stack to Kubernetes manifests (one YAML stream on stdout, or files with -o)')
    .option('--format <format>', 'kubernetes (manifests) or helm (a chart, with -o DIR)', 'kubernetes')
    .option('-o, --output <dir>', 'write one file per object into DIR instead of stdout')
    .option('--publish <type>', 'Service type of published ports: LoadBalancer or NodePort', 'LoadBalancer')
    .option('--registry <host>', 'registry the images stack builds were pushed to (`stack push`)')
    .option('--volume-size <size>', 'storage each PersistentVolumeClaim asks for', '1Gi')
    .option('--strict', 'fail when something cannot carry over, instead of warning')
    .action((opts: ConvertCommandOptions) =>
      runCommand(async () => (await import('./convert-action.js')).convert(globals(), opts)),
    );
}
