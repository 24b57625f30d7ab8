// `stack scale [--no-deps] SERVICE=REPLICAS…`: as docker compose scale, an `up -d` of those
// services with their replica counts set (their dependencies brought up too, unless
// --no-deps); other services are not touched.

import type { Command } from 'commander';
import { runCommand } from '../errors.js';
import type { GlobalOptions } from '../stack-file.js';

export function registerScale(program: Command, globals: () => GlobalOptions): void {
  program
    .command('scale')
    .description('set the number of containers of services')
    .argument('<service=replicas...>', 'services and how many containers each runs')
    .option('--no-deps', 'do not start the services they depend on')
    .action((entries: string[], opts: { deps?: boolean }) =>
      runCommand(async () => {
        const bad = entries.find((e) => !/^[^=]+=\d+$/.test(e));
        if (bad !== undefined) {
          const { UsageError } = await import('../usage-error.js');
          throw new UsageError(`scale takes SERVICE=REPLICAS with REPLICAS a whole number (0 or more), not "${bad}"`);
        }
        const services = entries.map((e) => e.split('=')[0]!);
        const flags = { detach: true, scale: entries, ...(opts.deps === false ? { deps: false } : {}) };
        return (await import('./up-action.js')).up(globals(), flags, services);
      }),
    );
}
