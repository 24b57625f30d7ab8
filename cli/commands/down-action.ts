// What `stack down` does (loaded only when it runs; see down.ts). `up` uses bringDown too.

import fs from 'node:fs';
import { paths } from '../../executor/host/linux/paths.js';
import { connectSupervisor, request, waitForExit } from '../../supervisor/client.js';
import { EXIT } from '../errors.js';
import { progressPrinter } from '../progress.js';
import { projectOf, UsageError, type GlobalOptions } from '../stack-file.js';

export interface DownOptions {
  timeout?: string;
}

export async function down(globals: GlobalOptions, opts: DownOptions): Promise<number> {
  const timeout = opts.timeout === undefined ? undefined : Number(opts.timeout);
  if (timeout !== undefined && !(Number.isInteger(timeout) && timeout >= 0)) {
    throw new UsageError(`-t/--timeout takes whole seconds (0 or more), not "${opts.timeout}"`);
  }
  await bringDown(projectOf(globals), timeout);
  return EXIT.ok;
}

export async function bringDown(project: string, timeoutSeconds: number | undefined): Promise<void> {
  if (!fs.existsSync(paths.stackDir(project))) {
    process.stderr.write(`stack ${project} is not up; nothing to remove\n`);
    return;
  }
  const conn = await connectSupervisor(project, { start: true });
  let pid: number;
  try {
    pid = await request(conn!, { op: 'down', ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}) }, progressPrinter());
  } finally {
    conn!.destroy();
  }
  // The supervisor exits right after answering: return only once it is gone.
  await waitForExit(pid);
}
