// `stack version [--short] [--format pretty|json]` and the global `stack -v/--version`, as
// docker compose has them: scripts that ask `docker compose version --short` keep working.

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import { prettyVersion } from '../stack-version.js';
import type { VersionOptions } from './version-action.js';

export function registerVersion(program: Command): void {
  program
    .command('version')
    .description('show the stack version')
    .option('--short', 'only the version number')
    .option('-f, --format <format>', 'pretty or json', 'pretty')
    .action((opts: VersionOptions) => runCommand(async () => (await import('./version-action.js')).version(opts)));
  // Commander's own .version() wants the text up front; reading package.json only when
  // asked keeps it out of every other command's start. Synchronous: commander goes on to
  // show the help once the option is parsed.
  program.option('-v, --version', 'show the stack version and exit');
  program.on('option:version', () => {
    process.stdout.write(`${prettyVersion()}\n`);
    process.exit(0);
  });
}
