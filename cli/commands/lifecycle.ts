// `stack stop [-t N] [SERVICE…]`, `stack start [--wait] [SERVICE…]`, `stack restart [-t N] [--no-deps] [SERVICE…]`:
// existing containers stopped (kept, restart policies off) or started again with the
// same addresses and filesystem; other services' containers are not touched.

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { GlobalOptions } from '../stack-file.js';
import { progressFormatOption } from '../progress-format.js';
import type { LifecycleCliOptions } from './lifecycle-action.js';

export function registerLifecycle(program: Command, globals: () => GlobalOptions): void {
  const commands = [
    { name: 'stop', description: 'stop containers and keep them (no restart policy brings them back)', timeout: true },
    { name: 'start', description: 'start stopped containers again', timeout: false },
    { name: 'restart', description: 'stop and start containers (a new process, same addresses)', timeout: true },
  ] as const;
  for (const c of commands) {
    const cmd = progressFormatOption(program.command(c.name))
      .description(c.description)
      .argument('[services...]', 'services (default: all)');
    if (c.timeout)
      cmd.option('-t, --timeout <seconds>', "grace period before SIGKILL (default: each service's stop_grace_period)");
    if (c.name === 'start')
      cmd
        .option('--wait', 'return once the containers are ready (healthy, or serving their ports), as up --wait')
        .option('--wait-timeout <seconds>', 'give up waiting after this long');
    if (c.name === 'restart')
      cmd.option('--no-deps', 'only the named services, not those that follow them (depends_on restart: true)');
    cmd.action((services: string[], opts: LifecycleCliOptions) =>
      runCommand(async () => (await import('./lifecycle-action.js')).lifecycle(c.name, globals(), services, opts)),
    );
  }
}
