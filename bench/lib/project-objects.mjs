// Every host object one project could leave behind after `down`, found by the names stack
// gives them (model/names.ts): its bridge, veths (a slot's replacement `<name>.b` too) and
// nft table, its cgroups (stack/<project> under every controller), mounts under its
// STACK_ROOT or naming it, its supervisor and watchdog, processes carrying its mark, and its
// state and run folders. Test runs and benches sharing the host never show up here.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { bridgeName, natTableName, vethName } from '../../dist/model/names.js';
import { markedProcesses, supervisorPid, watchdogPid } from './stack-processes.mjs';

const out = (cmd, args) => spawnSync(cmd, args, { encoding: 'utf8' }).stdout ?? '';

function cgroupsOf(project) {
  const root = '/sys/fs/cgroup';
  const tops = [root, ...fs.readdirSync(root).map((c) => path.join(root, c))];
  return tops.map((t) => path.join(t, 'stack', project)).filter((d) => fs.existsSync(d));
}

/**
 * What of `project` is still there, one line per object. `containers` are its container
 * names; `mark` the environment variable its containers carry (name=prefix).
 */
export function projectObjects(query) {
  const o = objectsOf(query);
  return [
    ...o.links.map((l) => `link ${l}`),
    ...o.tables.map((t) => `nft ${t.join(' ')}`),
    ...o.cgroups.map((c) => `cgroup ${c}`),
    ...o.mounts.map((m) => `mount ${m}`),
    ...o.processes.map(([what, pids]) => `process ${what}: pids ${pids.join(' ')}`),
    ...o.folders.map((f) => `folder ${f}`),
  ];
}

/**
 * Removes by force what `down` left of a project (after a failed round, so the host stays
 * clean): kills its processes, deletes its links, table, cgroups (bottom-up) and mounts.
 */
export async function removeProjectObjects(query) {
  const o = objectsOf(query);
  for (const [, pids] of o.processes)
    for (const pid of pids)
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
  await new Promise((r) => setTimeout(r, 500)); // their cgroups empty once they are gone
  for (const m of o.mounts.sort((a, b) => b.length - a.length)) spawnSync('umount', ['--lazy', m]);
  for (const l of o.links) spawnSync('ip', ['link', 'delete', l]);
  for (const [, family, name] of o.tables) spawnSync('nft', ['delete', 'table', family, name]);
  for (const c of o.cgroups) rmCgroupTree(c);
}

/** A cgroup tree bottom-up; only empty cgroups can go. */
function rmCgroupTree(dir) {
  try {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }))
      if (e.isDirectory()) rmCgroupTree(path.join(dir, e.name));
    fs.rmdirSync(dir);
  } catch {
    // busy or gone
  }
}

function objectsOf({ project, containers, networks = ['default'], env, mark }) {
  const linkNames = new Set([
    ...networks.map((n) => bridgeName(project, n)),
    ...containers.flatMap((c) => networks.flatMap((n) => [vethName(project, c, n), vethName(project, `${c}.b`, n)])),
  ]);
  const links = out('ip', ['-o', 'link', 'show'])
    .split('\n')
    .map((l) => l.split(': ')[1]?.split('@')[0])
    .filter((l) => linkNames.has(l));
  const table = natTableName(project);
  const tables = out('nft', ['list', 'tables'])
    .split('\n')
    .filter((l) => l.split(/\s+/).includes(table));
  const mounts = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m) => m && (m.startsWith(`${env.STACK_ROOT}/`) || m.includes(project)));
  const processes = [];
  for (const [what, pid] of [
    ['supervisor', supervisorPid(project)],
    ['watchdog', watchdogPid(project)],
  ])
    if (pid) processes.push([what, [pid]]);
  for (const [value, { all }] of markedProcesses(mark.name, mark.prefix)) processes.push([value, all]);
  const folders = [path.join(env.STACK_ROOT, 'stacks', project), path.join(env.STACK_RUN, project)].filter((d) =>
    fs.existsSync(d),
  );
  return {
    links,
    tables: tables.map((t) => t.trim().split(/\s+/)),
    cgroups: cgroupsOf(project),
    mounts,
    processes,
    folders,
  };
}
