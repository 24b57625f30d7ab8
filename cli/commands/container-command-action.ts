// What `stack kill`, `rm`, `pause` and `unpause` share (loaded only when one runs): under the
// stack's lock, the stack's supervisor plans the command from its records
// (planner/plan/container-command-plan.ts) and carries it out; the plan and progress go
// to stderr as for `stop`.

import fs from 'node:fs';
import type { ContainerCommand } from '../../planner/plan/container-command-plan.js';
import { paths } from '../../store/paths.js';
import { connectSupervisor, request } from '../../supervisor/client.js';
import { progressPrinter } from '../progress.js';
import { progressFormat } from '../progress-format.js';
import { withStackLock } from '../with-lock.js';
import { UsageError } from '../usage-error.js';

export async function requestContainerCommand(
  project: string,
  command: ContainerCommand,
  format: ReturnType<typeof progressFormat> = 'text',
  /** Under the lock, before the request: false to do nothing after all (an unconfirmed `rm`). */
  confirm: () => Promise<boolean> = async () => true,
): Promise<void> {
  await withStackLock(project, `stack ${command.command}`, async () => {
    if (!fs.existsSync(paths.stackDir(project)))
      throw new UsageError(`stack ${project} is not up; \`stack up\` creates it`);
    if (!(await confirm())) return;
    const conn = await connectSupervisor(project, { start: true });
    try {
      await request(conn!, { op: 'containers', request: command }, progressPrinter(process.stderr, { format }));
    } finally {
      conn!.destroy();
    }
  });
}
