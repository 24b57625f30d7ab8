// Finding a stack's processes from /proc: its supervisor and watchdog by their command
// lines, and a container's processes by a mark in their environment (children inherit it,
// so the processes whose parent lacks the mark are the copies of the container).

import fs from 'node:fs';

export const pids = () =>
  fs
    .readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .map(Number);

export function cmdline(pid) {
  try {
    const argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    // One started early by `up` set its command line as its title: one string.
    return argv.length === 1 ? argv[0].split(' ') : argv;
  } catch {
    return [];
  }
}

/** The supervisor of `project`: `…/supervisor.js <project>` (bundled or not). */
export const supervisorPid = (project) =>
  pids().find((p) => {
    const a = cmdline(p);
    return /supervisor(\/main)?\.js$/.test(a.at(-2) ?? '') && a.at(-1) === project;
  });

/** Its watchdog (supervisor/watchdog.ts): `sh -c … stack-watchdog <project> …`. */
export const watchdogPid = (project) =>
  pids().find((p) => {
    const a = cmdline(p);
    return a[3] === 'stack-watchdog' && a[4] === project;
  });

/** True while `pid` exists and is not a zombie. */
export function isAlive(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function parentOf(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return 0;
  }
}

function markOf(pid, name) {
  try {
    const entry = fs
      .readFileSync(`/proc/${pid}/environ`, 'utf8')
      .split('\0')
      .find((e) => e.startsWith(`${name}=`));
    return entry?.slice(name.length + 1);
  } catch {
    return undefined;
  }
}

/**
 * Live processes whose environment variable `name` starts with `prefix`, grouped by its
 * value: for each value, the pids whose parent has another value or none (one per copy of
 * the container) and all of them.
 */
export function markedProcesses(name, prefix) {
  const out = new Map();
  for (const pid of pids()) {
    const mark = markOf(pid, name);
    if (mark === undefined || !mark.startsWith(prefix) || !isAlive(pid)) continue;
    if (!out.has(mark)) out.set(mark, { roots: [], all: [] });
    out.get(mark).all.push(pid);
    if (markOf(parentOf(pid), name) !== mark) out.get(mark).roots.push(pid);
  }
  return out;
}
