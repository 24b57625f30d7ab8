// Per-container cgroups, on cgroup v2 (one unified tree, most distributions) or v1 (one tree
// per controller, as on the development machine). Groups live at `stack/<project>/<name>`
// so a leak check is one look at `/sys/fs/cgroup/stack/*/` or `/sys/fs/cgroup/*/stack/*/`,
// or with cgroup_parent at `<parent>/stk-<project>.<name>` (cgroup-parents.ts), which every
// step finds from the container's record. The `stack/` level itself stays: removing it would
// race with another stack creating its project group under it. `cgroupTree(root, version)` works on any folder (tests give it a
// fake cgroupfs); the exported functions use the host's.

import fs from 'node:fs/promises';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_RT_PERIOD_US, type Resources } from '../../../model/types.js';
import { restrictDevices } from './bpf.js';
import { limitWrites, OOM_FILE, parseOomKills, type CgroupVersion, type Controller } from './cgroup-limits.js';
import { CgroupKnobError, knobControllers, knobWrites } from './cgroup-knob-writes.js';
import { statDevice } from './host-devices.js';
import { fillCpuset } from './cpuset-levels.js';
import { freezerOf } from './freezer.js';
import { cgroupLevels, groupSegments, rmdirIfPresentSync } from './cgroup-parents.js';
import { stackRun } from '../../../store/paths.js';
import { grantRtBudget, returnRtBudget } from './rt-budget.js';
import { noCgroupTree } from './rootless/no-cgroups.js';
import { inUserNamespace } from './rootless/user-namespace.js';

const CGROUP_ROOT = '/sys/fs/cgroup';
/** The v1 controllers a container gets groups of (and sees at /sys/fs/cgroup: cgroup-view.ts). */
export const V1_CONTROLLERS: Controller[] = ['memory', 'pids', 'cpu', 'devices'];
/** v1 controllers a container gets a group of only when its knobs need them (cgroup-knob-writes.ts). */
const V1_ON_DEMAND: Controller[] = ['cpuset', 'blkio'];
const V2_CONTROLLERS = ['memory', 'pids', 'cpu'];

/** v2 when the unified hierarchy is mounted at the root itself (hybrid hosts are v1). */
export function detectCgroupVersion(root: string): CgroupVersion {
  return existsSync(path.join(root, 'cgroup.controllers')) ? 'v2' : 'v1';
}

let detected: CgroupVersion | undefined;

export function cgroupVersion(): CgroupVersion {
  detected ??= detectCgroupVersion(CGROUP_ROOT);
  return detected;
}

export interface ContainerLimits {
  resources: Resources;
  privileged: boolean;
  /** Device cgroup rules beyond the default list: its `devices` and `device_cgroup_rules` (host-devices.ts). */
  extraDeviceRules?: string[];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A cgroup file's text, or '' when the group (or the file) is not there. */
function readIfPresent(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return '';
  }
}

/** The compose keys that need each v2 controller beyond the ones every container gets, and the kernel option. */
const V2_CONTROLLER_USE: Record<string, { keys: string; config: string; optional: boolean }> = {
  cpuset: { keys: 'cpuset', config: 'CONFIG_CPUSETS', optional: true },
  io: { keys: 'blkio_config', config: 'CONFIG_BLK_CGROUP', optional: true },
  memory: { keys: 'every container (memory limits, OOM counts)', config: 'CONFIG_MEMCG', optional: false },
  pids: { keys: 'every container (pids_limit)', config: 'CONFIG_CGROUP_PIDS', optional: false },
  cpu: { keys: 'every container (cpus, cpu_shares)', config: 'CONFIG_CGROUP_SCHED', optional: false },
};

/**
 * v2: a controller the root's cgroup.controllers does not list cannot be delegated (the write
 * to subtree_control fails with a bare ENOENT): say which one, what needs it and the fix.
 */
async function requireControllers(root: string, wanted: string[]): Promise<void> {
  const text = await fs.readFile(path.join(root, 'cgroup.controllers'), 'utf8');
  const offered = text.split(/\s+/).filter((c) => c !== '');
  const missing = wanted.find((c) => !offered.includes(c));
  if (missing === undefined) return;
  const use = V2_CONTROLLER_USE[missing] ?? { keys: 'this container', config: 'it', optional: false };
  throw new CgroupKnobError(
    `cgroup v2: this kernel offers no ${missing} controller (${path.join(root, 'cgroup.controllers')} lists ${offered.join(' ') || 'nothing'}), which ${use.keys} needs: ` +
      `boot a kernel built with ${use.config} and without cgroup_disable=${missing}${use.optional ? `, or leave ${use.keys} out of the file` : ''}`,
  );
}

/** v2: a level delegates the controllers to its children only when its subtree_control names them. */
async function enableControllers(dir: string, wanted: string[]): Promise<void> {
  const file = path.join(dir, 'cgroup.subtree_control');
  const have = (await fs.readFile(file, 'utf8').catch(() => '')).split(/\s+/);
  const missing = wanted.filter((c) => !have.includes(c));
  if (missing.length > 0) await fs.writeFile(file, missing.map((c) => `+${c}`).join(' '));
}

/**
 * `restrictDevices(dir, extraRules)` confines a v2 group to the default device list and the
 * container's own rules (bpf.ts on the host;
 * tests of a fake cgroupfs record the call instead). v1 writes the list to devices.allow.
 */
export function cgroupTree(
  root: string,
  version: CgroupVersion,
  restrictDevices: (dir: string, extraRules: string[]) => void,
  marks: () => string = () => path.join(stackRun(), 'cgroup-parents'),
) {
  const levels = cgroupLevels(marks);
  const controllerRoot = (c: Controller) => (version === 'v2' ? root : path.join(root, c));
  const groupOf = (c: Controller, project: string, name: string, parent?: string) =>
    path.join(controllerRoot(c), ...groupSegments(project, name, parent));
  /** The container's group directories (one per tree; v1: those made on demand too, which may not exist). */
  const dirs = (project: string, name: string, parent?: string) =>
    version === 'v2'
      ? [path.join(root, ...groupSegments(project, name, parent))]
      : [...V1_CONTROLLERS, ...V1_ON_DEMAND].map((c) => groupOf(c, project, name, parent));
  /** The hierarchy root a group directory of `dirs` is in. */
  const treeOf = (dir: string, project: string, name: string, parent?: string) =>
    dir.slice(0, dir.length - path.join('/', ...groupSegments(project, name, parent)).length);

  // cgroupfs answers reads, writes and rmdirs at once: the steps below are synchronous, as
  // an async call per file costs a thread-pool round trip and a promise (of the ~20 files a
  // container's groups take, ~4 ms of a one-shot `stack run`'s CPU).

  async function pids(project: string, name: string, parent?: string): Promise<number[]> {
    const found = new Set<number>();
    // Every tree (v1 has one per controller): every container removal reads them.
    for (const dir of dirs(project, name, parent)) {
      const text = readIfPresent(path.join(dir, 'cgroup.procs'));
      for (const line of text.split('\n')) if (line.trim() !== '') found.add(Number(line));
    }
    return [...found];
  }

  async function kill(project: string, name: string, parent?: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = await pids(project, name, parent);
      if (left.length === 0) return;
      if (Date.now() > deadline) throw new Error(`cgroup of ${project}/${name} still holds pids ${left.join(', ')}`);
      const killFile = path.join(dirs(project, name, parent)[0]!, 'cgroup.kill');
      if (version === 'v2' && existsSync(killFile)) await fs.writeFile(killFile, '1').catch(() => {});
      else {
        for (const pid of left) {
          try {
            process.kill(pid, 'SIGKILL');
          } catch {
            /* already gone */
          }
        }
      }
      await sleep(10);
    }
  }

  return {
    version,
    dirs,
    /** The container's group of controller `c` (v2: the one group); it may not exist. */
    groupOf,
    /** The files the init stage writes `0` to, to join the container's groups. */
    procsFiles: (project: string, name: string, parent?: string) =>
      dirs(project, name, parent)
        .filter((d, i) => i < V1_CONTROLLERS.length || existsSync(d))
        .map((d) => path.join(d, 'cgroup.procs')),
    /** Makes a group of the container's in another hierarchy (v1's freezer), with its parent's missing levels. */
    makeIn: (treeRoot: string, project: string, name: string, parent?: string) =>
      levels.make(treeRoot, groupSegments(project, name, parent), parent !== undefined),
    /** Once its group in `treeRoot` is gone: the levels above it that stack made and that are empty. */
    removeAboveIn: (treeRoot: string, project: string, name: string, parent?: string) =>
      levels.removeAbove(treeRoot, groupSegments(project, name, parent), parent !== undefined),

    /** Makes the groups and writes the limits, before any process joins them. */
    async create(
      project: string,
      name: string,
      limits: ContainerLimits = { resources: {}, privileged: false },
    ): Promise<string[]> {
      const onDemand = knobControllers(limits.resources);
      const parent = limits.resources.cgroupParent;
      const segments = groupSegments(project, name, parent);
      if (version === 'v2') {
        // v2: only leaves hold processes, and each level must delegate the controllers down.
        const wanted = [...V2_CONTROLLERS, ...onDemand.filter((c) => c !== 'blkio')];
        await requireControllers(root, wanted);
        await levels.make(root, segments, parent !== undefined);
        for (let depth = 0; depth < segments.length; depth++)
          await enableControllers(path.join(root, ...segments.slice(0, depth)), wanted);
      }
      const made =
        version === 'v2'
          ? dirs(project, name, parent)
          : [...V1_CONTROLLERS, ...V1_ON_DEMAND.filter((c) => onDemand.includes(c as 'cpuset' | 'blkio'))].map((c) =>
              groupOf(c, project, name, parent),
            );
      // A hierarchy this host does not mount would otherwise be a plain folder in /sys/fs/cgroup's tmpfs.
      for (const c of version === 'v1' ? onDemand.filter((c) => c !== 'io') : [])
        if (!existsSync(path.join(controllerRoot(c), 'cgroup.procs')))
          throw new Error(
            `cgroup v1: this host mounts no ${c} hierarchy at ${controllerRoot(c)}, which ${c === 'cpuset' ? 'cpuset' : 'blkio_config'} needs`,
          );
      if (version === 'v1')
        for (const dir of made) await levels.make(treeOf(dir, project, name, parent), segments, parent !== undefined);
      // v1 cpuset groups start with no CPUs and no memory nodes: each level takes its parent's.
      if (version === 'v1' && onDemand.includes('cpuset')) await fillCpuset(controllerRoot('cpuset'), segments);
      const rt = limits.resources.cpuRtRuntimeUs;
      if (rt !== undefined || limits.resources.cpuRtPeriodUs !== undefined) {
        // The loader refuses the keys on such a host; a record from another host may still carry them.
        if (version === 'v2' || !existsSync(path.join(controllerRoot('cpu'), 'cpu.rt_runtime_us')))
          throw new CgroupKnobError(
            `cpu_rt_runtime/cpu_rt_period: this host has no realtime group scheduling (${version === 'v2' ? 'cgroup v2 has no such knob' : 'CONFIG_RT_GROUP_SCHED'}); leave them out`,
          );
        await grantRtBudget(
          controllerRoot('cpu'),
          segments,
          rt ?? 0,
          limits.resources.cpuRtPeriodUs ?? DEFAULT_RT_PERIOD_US,
        );
      }
      const extraRules = limits.extraDeviceRules ?? [];
      // Before any process joins: without it a v2 container with CAP_MKNOD opens the host's disks.
      if (version === 'v2' && !limits.privileged) restrictDevices(made[0]!, extraRules);
      const fileOf = (c: Controller, file: string) =>
        path.join(version === 'v2' ? made[0]! : groupOf(c, project, name, parent), file);
      const writes = [
        ...limitWrites(version, limits.resources, limits.privileged),
        ...knobWrites(version, limits.resources, extraRules, limits.privileged, {
          deviceNumber: (p) => {
            const d = statDevice(p, 'blkio_config');
            return `${d.major}:${d.minor}`;
          },
          has: (c, file) => existsSync(fileOf(c, file)),
        }),
      ];
      for (const w of writes) {
        const file = fileOf(w.controller, w.file);
        if (w.optional && !existsSync(file)) continue;
        try {
          writeFileSync(file, w.value);
        } catch (err) {
          throw new Error(
            `cgroup ${version}: writing ${w.value} to ${file} failed: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
          );
        }
      }
      return made;
    },

    pids,
    kill,

    /** Names of the project's container groups, in any tree (found without the records). */
    async names(project: string): Promise<string[]> {
      const trees = version === 'v2' ? [root] : [...V1_CONTROLLERS, ...V1_ON_DEMAND].map((c) => controllerRoot(c));
      // v1's six trees read side by side: one after the other they were six threadpool
      // round trips in every observe.
      const listed = await Promise.all(
        trees.map((tree) => fs.readdir(path.join(tree, 'stack', project), { withFileTypes: true }).catch(() => [])),
      );
      return [...new Set(listed.flat().flatMap((e) => (e.isDirectory() ? [e.name] : [])))].sort();
    },

    /** How often the kernel's OOM killer struck in the container's memory group (read before removal). */
    oomKills(project: string, name: string, parent?: string): number {
      try {
        return parseOomKills(
          readFileSync(path.join(groupOf('memory', project, name, parent), OOM_FILE[version]), 'utf8'),
        );
      } catch {
        return 0;
      }
    },

    /**
     * Kills what is left, removes the container's groups, then the levels above them that
     * stack made and that are empty (the project level, or a parent's). Idempotent.
     */
    async remove(project: string, name: string, parent?: string): Promise<void> {
      await kill(project, name, parent);
      // v1: a realtime budget the levels above were raised by goes back (nothing to do where none was).
      const cpuRoot = controllerRoot('cpu');
      if (version === 'v1' && existsSync(path.join(cpuRoot, 'cpu.rt_runtime_us')))
        await returnRtBudget(cpuRoot, groupSegments(project, name, parent), (dir) => levels.madeByStack(cpuRoot, dir));
      // The trees at once (v1 has one per controller), each on its own.
      await Promise.all(
        dirs(project, name, parent).map(async (dir) => {
          // A killed process leaves the group a moment after it is reaped: retry EBUSY briefly.
          for (let attempt = 0; !rmdirIfPresentSync(dir); attempt++) {
            if (attempt > 200) throw new Error(`cannot remove cgroup ${dir}: busy`);
            await sleep(10);
          }
          await levels.removeAbove(
            treeOf(dir, project, name, parent),
            groupSegments(project, name, parent),
            parent !== undefined,
          );
        }),
      );
    },
  };
}

export type CgroupTree = ReturnType<typeof cgroupTree>;

let host: CgroupTree | undefined;
const hostTree = (): CgroupTree =>
  (host ??= cgroupsOutOfReach()
    ? noCgroupTree(cgroupVersion())
    : // Rootless: a device program needs a capability on the host; a user namespace makes no
      // device nodes anyway, and the host's bound in open only as the user may (docs/rootless.md).
      cgroupTree(CGROUP_ROOT, cgroupVersion(), inUserNamespace() ? () => {} : restrictDevices));

/**
 * Rootless: the host's cgroup trees are root's (rootless/no-cgroups.ts), unless the user's
 * namespaces were given a delegated v2 subtree as their /sys/fs/cgroup (namespace-holder.ts);
 * without one, the namespace's own sysfs has nothing mounted there.
 */
export const cgroupsOutOfReach = (): boolean =>
  inUserNamespace() && !existsSync(path.join(CGROUP_ROOT, 'cgroup.controllers'));

// `parent`: the container's cgroup_parent, from its spec (its record's, once it was spawned).
export const cgroupDirs = (project: string, name: string, parent?: string) => hostTree().dirs(project, name, parent);
export const cgroupProcsFiles = (project: string, name: string, parent?: string) =>
  hostTree().procsFiles(project, name, parent);
export const cgroupGroupOf = (c: Controller, project: string, name: string, parent?: string) =>
  hostTree().groupOf(c, project, name, parent);
export const createCgroups = (project: string, name: string, limits?: ContainerLimits) =>
  hostTree().create(project, name, limits);
export const cgroupPids = (project: string, name: string, parent?: string) => hostTree().pids(project, name, parent);
export const cgroupNames = (project: string) => hostTree().names(project);
export const killCgroups = (project: string, name: string, parent?: string) => hostTree().kill(project, name, parent);
export const removeCgroups = (project: string, name: string, parent?: string) =>
  hostTree().remove(project, name, parent);
export const oomKills = (project: string, name: string, parent?: string) => hostTree().oomKills(project, name, parent);

let freezer: ReturnType<typeof freezerOf> | undefined;
const hostFreezer = () => (freezer ??= freezerOf(CGROUP_ROOT, hostTree(), cgroupVersion()));
export const freezeCgroups = (project: string, name: string, parent?: string) =>
  hostFreezer().freeze(project, name, parent);
/** Thaws a paused container (nothing for one never paused): a frozen process cannot act on a signal, not even SIGKILL on v1. */
export const thawCgroups = (project: string, name: string, parent?: string) =>
  hostFreezer().thaw(project, name, parent);
/** Whether the container's processes are frozen now, whatever its record says. */
export const frozenCgroups = (project: string, name: string, parent?: string) =>
  hostFreezer().frozen(project, name, parent);
/** v1: the freezer group a pause made, once the container's processes are gone. */
export const removeFreezer = (project: string, name: string, parent?: string) =>
  hostFreezer().remove(project, name, parent);
