// What `stack down` does (loaded only when it runs; see down.ts). `up` uses bringDown too.

import fs from 'node:fs';
import { paths } from '../../store/paths.js';
import { listVolumes, removeVolume } from '../../store/volumes.js';
import { connectSupervisor, request, waitForExit, type MessageHandler } from '../../supervisor/client.js';
import type { Message } from '../../supervisor/protocol.js';
import type { Plan } from '../../model/plan.js';
import { EXIT } from '../errors.js';
import { progressPrinter } from '../progress.js';
import { progressFormat, type ProgressFormat } from '../progress-format.js';
import { withStackLock } from '../with-lock.js';
import { syncBootUnit } from '../boot-unit.js';
import { projectOf, type GlobalOptions } from '../stack-file.js';
import { stopTimeoutSeconds } from '../stop-timeout.js';
import { removeStackImages, rmiMode, stackImages } from './down-images.js';
import { endLeftoverProcesses, leftoversLine, type Leftovers } from './leftovers-down.js';

export interface DownOptions {
  timeout?: string;
  volumes?: boolean;
  format?: string;
  rmi?: string;
}

export async function down(globals: GlobalOptions, opts: DownOptions): Promise<number> {
  const timeout = stopTimeoutSeconds(opts.timeout);
  const rmi = rmiMode(opts.rmi);
  const project = projectOf(globals);
  // Read before the records go: they name the images of containers the file may no longer have.
  const images = rmi ? await stackImages(globals, project, rmi) : [];
  await bringDown(project, timeout, !!opts.volumes, progressFormat(opts.format));
  await removeStackImages(images, (line) => process.stderr.write(`${line}\n`));
  return EXIT.ok;
}

export async function bringDown(
  project: string,
  timeoutSeconds: number | undefined,
  removeVolumes = false,
  format: ProgressFormat = 'text',
): Promise<void> {
  // Checked under the lock: an `up` that holds it may be making the stack right now.
  await withStackLock(project, 'stack down', () => takeDown(project, timeoutSeconds, removeVolumes, format));
  // No container is left to bring back at boot (a network kept for other stacks is theirs).
  syncBootUnit(project, false, (line) => process.stderr.write(`${line}\n`));
}

async function takeDown(
  project: string,
  timeoutSeconds: number | undefined,
  removeVolumes: boolean,
  format: ProgressFormat,
): Promise<void> {
  // No records: what still carries the project's name (its folder removed under a running
  // stack) is taken down by name, through the usual down of a new supervisor.
  let leftovers: Leftovers | undefined;
  if (!fs.existsSync(paths.stackDir(project))) leftovers = await endLeftoverProcesses(project);
  if (!fs.existsSync(paths.stackDir(project)) && !leftovers) {
    // Volumes outlive the stack: `down -v` after `down` still removes them.
    const removed = removeVolumes ? await removeStackVolumes(project) : [];
    process.stderr.write(
      removed.length > 0
        ? `stack ${project} is not up; removed its volumes ${removed.join(', ')}\n`
        : `stack ${project} is not up; nothing to remove\n`,
    );
    return;
  }
  const conn = await connectSupervisor(project, { start: true });
  let pid: number;
  let forgets = true;
  let plan: Plan | undefined;
  try {
    const printer = progressPrinter(process.stderr, { format });
    const watching: MessageHandler = Object.assign(
      (m: Message) => {
        if (m.type === 'plan') {
          plan = m.plan;
          forgets = m.plan.operations.some((op) => op.kind === 'stack.forget');
        }
        printer(m);
      },
      printer.end ? { end: printer.end } : {},
    );
    pid = await request(
      conn!,
      { op: 'down', ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}), removeVolumes },
      watching,
    );
  } finally {
    conn!.destroy();
  }
  // The supervisor exits right after answering (return only once it is gone), unless a
  // network stayed for other stacks: then it keeps serving that network's names.
  if (forgets) await waitForExit(pid);
  if (leftovers) process.stderr.write(`${leftoversLine(project, leftovers, plan)}\n`);
}

/** The volumes the stack created (never external ones, which carry no project). */
async function removeStackVolumes(project: string): Promise<string[]> {
  const ours = (await listVolumes()).filter((v) => v.project === project).map((v) => v.name);
  for (const name of ours) await removeVolume(name);
  return ours;
}
