// The cgroups of a stack whose records are gone that observe cannot name (it finds container
// groups under `stack/<project>` only): a `cgroup_parent` container's `<parent>/stk-<project>.<name>`
// (its parent is in the record that is gone), and a `stack/<project>` level left empty (a crash
// between a container group's removal and its level's). `stack down -p` of such a stack
// (cli/commands/leftovers-down.ts) and a supervisor whose folder vanished
// (supervisor/orphaned-down.ts) remove them through Host.removeLeftoverCgroups.
//
// A parent is looked for where stack can know of it without a record: one level below each
// hierarchy's root (`cgroup_parent: my-parent`), and every level stack made itself (its
// marks in STACK_RUN/cgroup-parents, cgroup-parents.ts). A deeper parent stack did not make
// cannot be told from another program's groups, and is left alone.

import fs from 'node:fs';
import path from 'node:path';
import { stackRun } from '../../../store/paths.js';
import { rmdirIfPresentSync } from './cgroup-parents.js';
import { cgroupsOutOfReach, cgroupVersion, removeCgroups, removeFreezer, thawCgroups } from './cgroups.js';

const CGROUP_ROOT = '/sys/fs/cgroup';

const subdirs = (dir: string): string[] => {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
};

/** The hierarchies' roots: the one of v2, or each v1 controller's (its symlinked aliases once). */
const treeRoots = (): string[] =>
  cgroupVersion() === 'v2' ? [CGROUP_ROOT] : subdirs(CGROUP_ROOT).map((c) => path.join(CGROUP_ROOT, c));

/** The levels of `cgroup_parent`s that stack made, from their marks. */
function markedLevels(): string[] {
  try {
    return fs.readdirSync(path.join(stackRun(), 'cgroup-parents')).map((m) => decodeURIComponent(m));
  } catch {
    return [];
  }
}

/** The project's `cgroup_parent` groups, as (parent, container name). */
function parentGroups(project: string): { parent: string; name: string }[] {
  const prefix = `stk-${project}.`;
  const found = new Map<string, { parent: string; name: string }>();
  const marked = markedLevels();
  for (const tree of treeRoots()) {
    const levels = [
      ...subdirs(tree)
        .filter((d) => d !== 'stack')
        .map((d) => path.join(tree, d)),
      ...marked.filter((m) => m.startsWith(`${tree}/`)),
    ];
    for (const level of levels)
      for (const group of subdirs(level).filter((g) => g.startsWith(prefix))) {
        const parent = path.relative(tree, level);
        const name = group.slice(prefix.length);
        found.set(`${parent}/${name}`, { parent, name });
      }
  }
  return [...found.values()];
}

/**
 * Kills what runs in the project's `cgroup_parent` groups, removes them with the parent levels
 * stack made that are left empty, and removes `stack/<project>` levels that hold no container
 * group. Resolves with what went, in words (`cgroup my-parent/stk-p.web-1`).
 */
export async function removeLeftoverCgroups(project: string): Promise<string[]> {
  if (cgroupsOutOfReach()) return [];
  const removed: string[] = [];
  for (const { parent, name } of parentGroups(project)) {
    await thawCgroups(project, name, parent);
    await removeCgroups(project, name, parent);
    await removeFreezer(project, name, parent);
    removed.push(`cgroup ${parent}/stk-${project}.${name}`);
  }
  let emptyLevel = false;
  for (const tree of treeRoots()) {
    const level = path.join(tree, 'stack', project);
    // A level with container groups is the teardown's (observe names them); only an empty one is left here.
    if (fs.existsSync(level) && subdirs(level).length === 0 && rmdirIfPresentSync(level)) emptyLevel = true;
  }
  if (emptyLevel) removed.push(`empty cgroup level stack/${project}`);
  return removed;
}
