// A simulated reboot of one stack, for the `stack boot` tests: what a real reboot takes
// away, taken away by hand — every process of the stack (SIGKILL, watchdog first so it
// starts no new supervisor), the mounts under its STACK_ROOT, its links, its nftables
// table, its cgroups and everything of it under STACK_RUN and /run (tmpfs at boot). The
// records and files under STACK_ROOT stay, as they do on disk.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { hashOf } from '../../model/hash.js';
import { natTableName } from '../../model/names.js';
import { killAndWait, supervisorPids, waitFor, watchdogPids } from './processes.js';
import type { StackEnv } from './stack-cli.js';

const CGROUP_ROOT = '/sys/fs/cgroup';

/** The stack's cgroup folders, `stack/<project>` of every tree (v1: one per controller). */
export function projectCgroups(project: string): string[] {
  const trees = [CGROUP_ROOT, ...fs.readdirSync(CGROUP_ROOT).map((c) => path.join(CGROUP_ROOT, c))];
  // v1 trees have aliases (`cpu` -> `cpu,cpuacct`): each folder once.
  return [
    ...new Set(
      trees
        .map((t) => path.join(t, 'stack', project))
        .filter((d) => fs.existsSync(d))
        .map((d) => fs.realpathSync(d)),
    ),
  ];
}

/** Container groups under a project group (one level: `stack/<project>/<name>`). */
function childGroups(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => path.join(dir, e.name));
}

function procsOf(group: string): number[] {
  try {
    return fs.readFileSync(path.join(group, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Every process in the stack's container groups: SIGKILL, until the groups are empty. */
async function killContainers(project: string): Promise<void> {
  const groups = projectCgroups(project).flatMap(childGroups);
  await waitFor(
    () => {
      const left = groups.flatMap(procsOf);
      for (const pid of left) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone meanwhile */
        }
      }
      return left.length === 0;
    },
    10_000,
    `the processes of stack ${project}'s containers to die`,
  );
}

interface Records {
  bridges: string[];
  veths: string[];
}

function recordedLinks(env: StackEnv, project: string): Records {
  const state = path.join(env.env.STACK_ROOT!, 'stacks', project, 'state');
  const read = (dir: string) =>
    fs.existsSync(dir)
      ? fs
          .readdirSync(dir)
          .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as Record<string, unknown>)
      : [];
  const bridges = read(path.join(state, 'networks')).map((n) => n.bridge as string);
  const veths = read(path.join(state, 'containers')).flatMap((c) =>
    (c.spec as { endpoints: { hostVeth: string }[] }).endpoints.map((e) => e.hostVeth),
  );
  return { bridges, veths };
}

/** Deletes `link` if it is there (a veth goes with its peer's namespace anyway). */
function deleteLink(link: string): void {
  try {
    execFileSync('ip', ['link', 'del', link], { stdio: 'ignore' });
  } catch {
    /* not there */
  }
}

/** Mount points at or under `dir`, deepest first. */
function mountsUnder(dir: string): string[] {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m): m is string => !!m && (m === dir || m.startsWith(`${dir}/`)))
    .reverse();
}

export interface RebootParts {
  /** Kill the processes (always). Then, unless false, remove each kind of kernel object and the run state. */
  mounts?: boolean;
  links?: boolean;
  table?: boolean;
  cgroups?: boolean;
  run?: boolean;
}

/**
 * Takes away what a reboot takes from `project` (all of it by default; `parts` keeps some,
 * for a partial state: processes gone, some objects left).
 */
export async function simulateReboot(env: StackEnv, project: string, parts: RebootParts = {}): Promise<void> {
  await Promise.all(watchdogPids(project).map((pid) => killAndWait(pid)));
  await Promise.all(supervisorPids(project).map((pid) => killAndWait(pid)));
  await killContainers(project);
  if (parts.mounts !== false) for (const m of mountsUnder(env.env.STACK_ROOT!)) execFileSync('umount', ['--lazy', m]);
  if (parts.links !== false) {
    const { bridges, veths } = recordedLinks(env, project);
    for (const link of [...veths, ...bridges]) deleteLink(link);
  }
  if (parts.table !== false) {
    try {
      execFileSync('nft', ['delete', 'table', 'ip', natTableName(project)], { stdio: 'ignore' });
    } catch {
      /* not there */
    }
  }
  if (parts.cgroups !== false) {
    for (const dir of projectCgroups(project)) {
      for (const child of childGroups(dir)) fs.rmdirSync(child);
      fs.rmdirSync(dir);
    }
  }
  if (parts.run !== false) {
    fs.rmSync(env.env.STACK_RUN!, { recursive: true, force: true });
    // /run/stack-ip-forward (executor/host/linux/ip-forward.ts) is the host's, shared with
    // other stacks: only this stack's entry goes.
    const user = `${hashOf(path.resolve(env.env.STACK_ROOT!))}-${natTableName(project)}`.replace(
      /[^A-Za-z0-9_.-]/g,
      '_',
    );
    fs.rmSync(path.join(process.env.STACK_IP_FORWARD_DIR ?? '/run/stack-ip-forward', `user-${user}`), { force: true });
  }
}
