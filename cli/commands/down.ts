// `stack down [-t N]`: stop and remove every container, network, NAT table and record
// of the stack, working from the state records alone (the file may have changed).

import fs from 'node:fs';
import type { Command } from 'commander';
import { paths } from '../../executor/host/linux/paths.js';
import { connectSupervisor, request } from '../../supervisor/client.js';
import { EXIT, runCommand } from '../errors.js';
import { progressPrinter } from '../progress.js';
import { projectOf, type GlobalOptions } from '../stack-file.js';

export function registerDown(program: Command, globals: () => GlobalOptions): void {
  program
    .command('down')
    .description('stop and remove everything the stack made')
    .option('-t, --timeout <seconds>', 'grace period before SIGKILL (default: each service\'s stop_grace_period)')
    .action((opts: { timeout?: string }) =>
      runCommand(async () => {
        const timeout = opts.timeout === undefined ? undefined : Number(opts.timeout);
        await bringDown(projectOf(globals()), timeout);
        return EXIT.ok;
      }),
    );
}

export async function bringDown(project: string, timeoutSeconds: number | undefined): Promise<void> {
  if (!fs.existsSync(paths.stackDir(project))) {
    process.stderr.write(`stack ${project} is not up; nothing to remove\n`);
    return;
  }
  const conn = await connectSupervisor(project, { start: true });
  try {
    await request(conn!, { op: 'down', ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}) }, progressPrinter());
  } finally {
    conn!.destroy();
  }
}
