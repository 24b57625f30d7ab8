// `stack stop [-t N] [SERVICE…]`, `stack start [SERVICE…]`, `stack restart [-t N] [SERVICE…]`:
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
    cmd.action((services: string[], opts: LifecycleCliOptions) =>
      runCommand(async () => (await import('./lifecycle-action.js')).lifecycle(c.name, globals(), services, opts)),
    );
  }
}
