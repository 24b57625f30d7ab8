// Per-container cgroups, on cgroup v2 (one unified tree, most distributions) or v1 (one tree
// per controller, as on the development machine). Groups live at `stack/<project>/<name>`
// so a leak check is one look at `/sys/fs/cgroup/stack/*/` or `/sys/fs/cgroup/*/stack/*/`.
// The `stack/` level itself stays: removing it would race with another stack creating its
// project group under it.

import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';

const CGROUP_ROOT = '/sys/fs/cgroup';
const V1_CONTROLLERS = ['memory', 'pids', 'cpu'];
const V2_CONTROLLERS = '+memory +pids +cpu';

let detected: 'v1' | 'v2' | undefined;

/** v2 when the unified hierarchy is mounted at /sys/fs/cgroup itself (hybrid hosts are v1). */
export function cgroupVersion(): 'v1' | 'v2' {
  detected ??= existsSync(path.join(CGROUP_ROOT, 'cgroup.controllers')) ? 'v2' : 'v1';
  return detected;
}

/** Roots of the trees stack uses: one on v2, one per controller on v1. */
function roots(): string[] {
  return cgroupVersion() === 'v2' ? [CGROUP_ROOT] : V1_CONTROLLERS.map((c) => path.join(CGROUP_ROOT, c));
}

/** The container's group directories (one per tree). */
export function cgroupDirs(project: string, name: string): string[] {
  return roots().map((r) => path.join(r, 'stack', project, name));
}

/** The files the init stage writes `0` to, to join the container's groups. */
export function cgroupProcsFiles(project: string, name: string): string[] {
  return cgroupDirs(project, name).map((d) => path.join(d, 'cgroup.procs'));
}

async function mkdirRetry(dir: string): Promise<void> {
  // The project level may be removed by a concurrent cleanup between two mkdir steps.
  for (let attempt = 0; ; attempt++) {
    try {
      await fs.mkdir(dir, { recursive: true });
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 5) throw err;
    }
  }
}

async function enableControllers(dir: string): Promise<void> {
  const file = path.join(dir, 'cgroup.subtree_control');
  const have = (await fs.readFile(file, 'utf8')).split(/\s+/);
  if (['memory', 'pids', 'cpu'].every((c) => have.includes(c))) return;
  await fs.writeFile(file, V2_CONTROLLERS);
}

export async function createCgroups(project: string, name: string): Promise<string[]> {
  if (cgroupVersion() === 'v2') {
    // v2: only leaves hold processes, and each level must delegate the controllers down.
    await mkdirRetry(path.join(CGROUP_ROOT, 'stack', project));
    for (const dir of [CGROUP_ROOT, path.join(CGROUP_ROOT, 'stack'), path.join(CGROUP_ROOT, 'stack', project)]) {
      await enableControllers(dir);
    }
  }
  const dirs = cgroupDirs(project, name);
  for (const dir of dirs) await mkdirRetry(dir);
  return dirs;
}

/** Pids in the container's groups (all trees, deduplicated); absent groups count as empty. */
export async function cgroupPids(project: string, name: string): Promise<number[]> {
  const pids = new Set<number>();
  for (const dir of cgroupDirs(project, name)) {
    let text = '';
    try {
      text = await fs.readFile(path.join(dir, 'cgroup.procs'), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    for (const line of text.split('\n')) if (line.trim() !== '') pids.add(Number(line));
  }
  return [...pids];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGKILLs everything in the groups until they are empty; throws after `timeoutMs`. */
export async function killCgroups(project: string, name: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pids = await cgroupPids(project, name);
    if (pids.length === 0) return;
    if (Date.now() > deadline) throw new Error(`cgroup of ${project}/${name} still holds pids ${pids.join(', ')}`);
    if (cgroupVersion() === 'v2' && existsSync(path.join(cgroupDirs(project, name)[0]!, 'cgroup.kill'))) {
      await fs.writeFile(path.join(cgroupDirs(project, name)[0]!, 'cgroup.kill'), '1').catch(() => {});
    } else {
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch { /* already gone */ }
      }
    }
    await sleep(10);
  }
}

async function rmdirIfPresent(dir: string): Promise<boolean> {
  try {
    await fs.rmdir(dir);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return true;
    if (code === 'EBUSY' || code === 'ENOTEMPTY') return false;
    throw err;
  }
}

/** Kills what is left, removes the container's groups, then the project level if empty. Idempotent. */
export async function removeCgroups(project: string, name: string): Promise<void> {
  await killCgroups(project, name);
  for (const dir of cgroupDirs(project, name)) {
    // A killed process leaves the group a moment after it is reaped: retry EBUSY briefly.
    for (let attempt = 0; !(await rmdirIfPresent(dir)); attempt++) {
      if (attempt > 200) throw new Error(`cannot remove cgroup ${dir}: busy`);
      await sleep(10);
    }
    // Another container of the project may still be there: then the project level stays.
    await rmdirIfPresent(path.dirname(dir));
  }
}
