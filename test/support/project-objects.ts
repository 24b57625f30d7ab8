// The host objects that carry one project's name, found by name alone (a test whose stack
// lost its records cannot ask `stack` for them), and their removal by hand: the clean-up of
// a test about leftovers must not depend on the code under test.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { bridgeName, natTableName, vethName } from '../../model/names.js';
import { snapshotHostObjects } from './host-objects.js';
import { killAndWait, killSupervisors, supervisorPids, watchdogPids } from './processes.js';

export interface ProjectShape {
  project: string;
  /** Its network keys (`default`, …): bridges and veths are named by hashes of them. */
  networks: string[];
  /** Its container names (`<project>-<service>-1`, …). */
  containers: string[];
}

/** Every host object naming the project: its table(s), links, cgroups, mounts, supervisor and watchdog. */
export function projectObjects(shape: ProjectShape): string[] {
  const { project } = shape;
  const snap = snapshotHostObjects();
  const links = new Set([
    ...shape.networks.map((k) => bridgeName(project, k)),
    ...shape.networks.flatMap((k) => shape.containers.map((c) => vethName(project, c, k))),
  ]);
  const table = natTableName(project);
  return [
    ...snap.tables.filter((t) => t.includes(table)),
    ...snap.links.filter((l) => links.has(l)),
    ...snap.cgroups.filter((c) => c.split('/').includes(project)),
    ...snap.mounts.filter((m) => m.split('/').includes(project)),
    ...supervisorPids(project).map((pid) => `supervisor ${pid}`),
    ...watchdogPids(project).map((pid) => `watchdog ${pid}`),
  ];
}

/** Removes by hand whatever of the project is left (test clean-up, also after a failed test). */
export async function removeProjectObjects(shape: ProjectShape): Promise<void> {
  for (const pid of supervisorPids(shape.project)) {
    try {
      process.kill(pid, 'SIGCONT');
    } catch {
      // gone
    }
  }
  await killSupervisors(shape.project);
  for (const dir of projectCgroups(shape.project)) {
    for (const pid of readPids(dir)) await killAndWait(pid);
  }
  for (const dir of projectCgroups(shape.project).sort((a, b) => b.length - a.length)) fs.rmdirSync(dir);
  const table = natTableName(shape.project);
  for (const family of ['ip', 'ip6'])
    for (const line of execFileSync('nft', ['list', 'tables', family], { encoding: 'utf8' }).split('\n')) {
      const name = line.split(' ')[2];
      if (name?.startsWith(table)) execFileSync('nft', ['delete', 'table', family, name]);
    }
  for (const key of shape.networks) {
    const bridge = bridgeName(shape.project, key);
    if (fs.existsSync(`/sys/class/net/${bridge}`)) execFileSync('ip', ['link', 'delete', bridge]);
  }
}

/** The project's groups (and the groups below them) in every cgroup tree. */
function projectCgroups(project: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    out.push(dir);
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) walk(path.join(dir, e.name));
  };
  const root = '/sys/fs/cgroup';
  for (const tree of [root, ...fs.readdirSync(root).map((c) => path.join(root, c))]) {
    const dir = path.join(tree, 'stack', project);
    if (fs.existsSync(dir)) walk(dir);
  }
  return out;
}

function readPids(dir: string): number[] {
  try {
    return fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** True once `rm -rf dir` succeeded: a running supervisor makes its socket again as soon as it is deleted, so rm races with it (as a user's would). */
export function removedFolder(dir: string): boolean {
  try {
    fs.rmSync(dir, { recursive: true, force: true });
    return true;
  } catch {
    return false;
  }
}
