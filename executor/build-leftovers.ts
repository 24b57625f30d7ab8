// What a build killed mid-step left behind (kill -9 of `stack build` or `up`): the RUN
// container still running, its cgroups, the build's bridge and nftables table, its records.
// Each build's stack `stkbuild-<id>` is held under its stack lock while the build runs
// (build-step-runner.ts), so a build stack whose lock is free has no builder any more; the
// next build sweeps it away by its records before its first step, as `down` would.

import fs from 'node:fs/promises';
import path from 'node:path';
import { paths, stackRoot } from '../store/paths.js';
import { tryStackLock } from '../store/stack-lock.js';
import { readState } from '../store/state-store.js';
import type { Host } from './host.js';
import { vethName } from '../model/names.js';
import { removeContainer } from './stop-container.js';
import { BUILD_PROJECT_PREFIX } from '../model/build-projects.js';

export { BUILD_PROJECT_PREFIX };

/** Removes every orphaned build stack; returns their projects. */
export async function sweepBuildLeftovers(host: Host): Promise<string[]> {
  const orphans = (await stackNames()).filter((n) => n.startsWith(BUILD_PROJECT_PREFIX));
  return removeUnheldBuildStacks(host, orphans, 'stack build: removing what a killed build left');
}

/** The projects that have a folder under STACK_ROOT. */
export async function stackNames(): Promise<string[]> {
  return fs.readdir(path.join(stackRoot(), 'stacks')).catch(() => [] as string[]);
}

/** Removes those of `projects` whose stack lock no process holds (`command` says why meanwhile); returns them. */
export async function removeUnheldBuildStacks(host: Host, projects: string[], command: string): Promise<string[]> {
  const removed: string[] = [];
  for (const project of projects) {
    const lock = tryStackLock(project, command);
    if (!lock) continue; // a build has it
    try {
      await removeBuildStack(host, project);
      removed.push(project);
    } finally {
      lock.release({ removeFile: true });
    }
  }
  return removed;
}

/** Containers, network and records of one build (the build's own end does the same). */
export async function removeBuildStack(host: Host, project: string): Promise<void> {
  const containers = await readState.containerDir(project);
  // A damaged record still names its container (the file's name); its veth is named from it.
  const names = [
    ...containers.records.map((r) => r.spec.name),
    ...containers.damaged.map((d) => path.basename(d.file, '.json')),
  ];
  for (const name of names)
    await removeContainer(host, project, name, {
      signal: 'SIGKILL',
      graceSeconds: 0,
      hostVeths: [vethName(project, name, 'build')],
    });
  const [nat, nets] = await Promise.all([readState.natRecord(project), readState.networkDir(project)]);
  // The table and the bridge do not depend on each other: removed at once (a bridge's
  // removal waits on the kernel for tens of milliseconds, at the end of every build).
  await Promise.all([
    nat.record && host.nat.remove(nat.record.table),
    ...nets.records.map((net) => host.networks.removeBridge(net.bridge)),
  ]);
  await host.allocation.unclaim(project);
  await host.state.forget(project);
  await fs.rm(paths.runDir(project), { recursive: true, force: true });
}
