// `stack pause [SERVICE…]` and `stack unpause [SERVICE…]`: every process of the running
// containers frozen in its cgroup, and thawed again, as docker compose pause does.

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { GlobalOptions } from '../stack-file.js';

export function registerPause(program: Command, globals: () => GlobalOptions): void {
  const commands = [
    { name: 'pause', description: "freeze the services' running containers" },
    { name: 'unpause', description: "thaw the services' paused containers" },
  ] as const;
  for (const c of commands)
    program
      .command(c.name)
      .description(c.description)
      .argument('[services...]', 'services (default: all)')
      .action((services: string[]) =>
        runCommand(async () => {
          const [{ requestContainerCommand }, { projectOf }] = await Promise.all([
            import('./container-command-action.js'),
            import('../stack-file.js'),
          ]);
          await requestContainerCommand(projectOf(globals()), { command: c.name, services });
        }),
      );
}
