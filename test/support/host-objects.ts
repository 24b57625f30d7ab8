// A snapshot of every host object stack could leave behind: `stk` links, `stk` nftables
// tables, mounts under a stack root, cgroups under `stack/`, and stack processes
// (supervisors and container init stages). The suite's leak check compares two snapshots.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export interface HostObjects {
  links: string[];
  tables: string[];
  mounts: string[];
  cgroups: string[];
  processes: string[];
}

export function snapshotHostObjects(): HostObjects {
  return {
    links: execFileSync('ip', ['-o', 'link', 'show'], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.split(': ')[1]?.split('@')[0])
      .filter((n): n is string => !!n && n.startsWith('stk')),
    tables: execFileSync('nft', ['list', 'tables'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => /\bstk/.test(l)),
    mounts: fs
      .readFileSync('/proc/self/mountinfo', 'utf8')
      .split('\n')
      .map((l) => l.split(' ')[4])
      .filter((m): m is string => !!m && (/stk|\/stack\//.test(m) || m.includes('stack-test'))),
    cgroups: cgroupDirs(),
    processes: stackProcesses(),
  };
}

/** Groups under every tree's `stack/`, and the `stk…` groups at a tree's top (a cgroup_parent tests give). */
function cgroupDirs(): string[] {
  const out: string[] = [];
  const root = '/sys/fs/cgroup';
  const trees = [root, ...fs.readdirSync(root).map((c) => path.join(root, c))];
  for (const tree of trees) {
    try {
      for (const entry of fs.readdirSync(tree, { withFileTypes: true }))
        if (entry.isDirectory() && entry.name.startsWith('stk')) out.push(path.join(tree, entry.name));
    } catch {
      // not a folder (a file of the v2 root)
    }
  }
  const candidates = trees.map((t) => path.join(t, 'stack'));
  for (const dir of candidates) {
    try {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true }))
        if (entry.isDirectory()) out.push(path.join(dir, entry.name));
    } catch {
      // controller without a stack/ parent
    }
  }
  return out;
}

function stackProcesses(): string[] {
  const out: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      if (/dist\/(bundle\/supervisor|supervisor\/main)\.js/.test(cmd)) out.push(`${pid} ${cmd.trim()}`);
      // An init stage's command line is the same for every container: name it from its config.
      else if (/dist\/init\.cjs/.test(cmd)) out.push(`${pid} ${cmd.trim()} (container ${initContainer(pid)})`);
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

function initContainer(pid: string): string {
  try {
    const config = fs
      .readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .find((e) => e.startsWith('STACK_INIT='));
    return (JSON.parse(config!.slice('STACK_INIT='.length)) as { container: string }).container;
  } catch {
    return '?';
  }
}

/**
 * Only the objects that mention one of `names` (project, STACK_ROOT, link and table
 * names): other test runs sharing the host make objects of their own meanwhile.
 */
export function objectsNaming(diff: Partial<HostObjects>, names: string[]): Partial<HostObjects> {
  const out: Partial<HostObjects> = {};
  for (const [key, list] of Object.entries(diff) as [keyof HostObjects, string[]][]) {
    const mine = list.filter((o) => names.some((n) => o.includes(n)));
    if (mine.length > 0) out[key] = mine;
  }
  return out;
}

/** Objects in `after` that were not in `before`. */
export function newObjects(before: HostObjects, after: HostObjects): Partial<HostObjects> {
  const diff: Partial<HostObjects> = {};
  for (const key of Object.keys(after) as (keyof HostObjects)[]) {
    const added = after[key].filter((x) => !before[key].includes(x));
    if (added.length > 0) diff[key] = added;
  }
  return diff;
}
