// `stack doctor [--format json]`: checks what stack needs from this host and says how to
// close each gap; exits 1 when a check fails. It runs for every user (the first check says
// whether stack may run as this one).

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { GlobalOptions } from '../stack-file.js';
import type { DoctorOptions } from './doctor-action.js';

export function registerDoctor(program: Command, globals: () => GlobalOptions): void {
  program
    .command('doctor')
    .description('check that this host has what stack needs, and say how to fix each gap')
    .option('--format <format>', 'text or json', 'text')
    .action((opts: DoctorOptions) =>
      runCommand(async () => (await import('./doctor-action.js')).doctor(globals(), opts)),
    );
}
