// `stack graph [--format dot|mermaid]`: the services, networks and volumes of the file and
// how they depend on each other, as Graphviz DOT or a Mermaid flowchart.

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { GlobalOptions } from '../stack-file.js';
import type { GraphOptions } from './graph-action.js';

export function registerGraph(program: Command, globals: () => GlobalOptions): void {
  program
    .command('graph')
    .description('print the dependency graph of the stack (services, networks, volumes)')
    .option('--format <format>', 'dot or mermaid', 'dot')
    .action((opts: GraphOptions) => runCommand(async () => (await import('./graph-action.js')).graph(globals(), opts)));
}
