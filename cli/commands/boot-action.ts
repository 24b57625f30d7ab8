// What `stack boot` does (loaded only when it runs; see boot.ts): each stack recorded under
// STACK_ROOT (or the one named) gets its supervisor, started as `up -d` starts it, which
// brings the stack back from its records (supervisor/boot.ts). Stacks that own a network
// other stacks join come first. One stack that fails does not keep the others down. The
// stacks builds make for themselves (model/build-projects.ts) are left to the next build.

import fs from 'node:fs';
import { isBuildProject } from '../../model/build-projects.js';
import { paths, stackRoot } from '../../store/paths.js';
import { readState } from '../../store/state-store.js';
import { bootOrder } from '../../planner/plan/boot-plan.js';
import { connectSupervisor, request } from '../../supervisor/client.js';
import { unitFacts, unitText } from '../boot-unit.js';
import { EXIT, renderError } from '../errors.js';
import { progressPrinter } from '../progress.js';
import { withStackLock } from '../with-lock.js';
import { UsageError, type GlobalOptions } from '../stack-file.js';

export interface BootOptions {
  projectName?: string;
  printUnit?: boolean;
}

export async function boot(globals: GlobalOptions, opts: BootOptions): Promise<number> {
  const only = opts.projectName ?? globals.projectName;
  if (opts.printUnit) {
    if (!only) throw new UsageError('--print-unit prints the unit of one stack: `stack boot -p NAME --print-unit`');
    process.stdout.write(unitText(unitFacts(only)));
    return EXIT.ok;
  }
  if (only && isBuildProject(only)) {
    // A build's own stack: the next build makes its network again over what is there.
    process.stderr.write(`stack ${only} is a build's, not a stack of yours: the next build brings it back\n`);
    return EXIT.ok;
  }
  if (only && !fs.existsSync(paths.stateDir(only))) {
    // Not an error: a unit left for a stack taken down meanwhile must not fail the boot.
    process.stderr.write(`stack ${only} has no state under ${stackRoot()}: nothing to bring back\n`);
    return EXIT.ok;
  }
  const projects = only
    ? [only]
    : await bootOrder(
        (await readState.projects()).filter((p) => !isBuildProject(p) && fs.existsSync(paths.stateDir(p))),
        networkUse,
      );
  if (projects.length === 0) process.stderr.write(`no stack has state under ${stackRoot()}: nothing to bring back\n`);
  let failed = 0;
  for (const project of projects) {
    if (projects.length > 1) process.stderr.write(`stack ${project}:\n`);
    try {
      await withStackLock(project, 'stack boot', () => bootOne(project));
    } catch (err) {
      failed++;
      const { text } = await renderError(err);
      process.stderr.write(`${text.endsWith('\n') ? text : `${text}\n`}`);
    }
  }
  return failed > 0 ? EXIT.error : EXIT.ok;
}

async function bootOne(project: string): Promise<void> {
  const conn = await connectSupervisor(project, { start: true });
  try {
    await request(conn!, { op: 'boot' }, progressPrinter(process.stderr));
  } finally {
    conn!.destroy();
  }
}

/** The bridges a stack's records make, and those its containers sit on (damaged records skipped: its own boot reports them). */
async function networkUse(project: string): Promise<{ owns: string[]; uses: string[] }> {
  const [networks, containers] = await Promise.all([readState.networkDir(project), readState.containerDir(project)]);
  return {
    owns: networks.records.map((n) => n.bridge),
    uses: containers.records.flatMap((c) => c.spec.endpoints.map((e) => e.bridge)),
  };
}
