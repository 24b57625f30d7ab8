// The namespace window: how a multi-threaded Node process spawns a child into new
// namespaces. unshare(2) changes only the calling thread, so the main thread unshares,
// spawns (the child inherits the thread's namespaces and becomes PID 1 of the new pid
// namespace), and at once setns's back to the namespaces saved at start-up. Everything
// synchronous inside the window would land in the container (its mounts, its network),
// so nothing but the spawn happens there. Never process.chdir/umask in the supervisor:
// setns(mnt) resets the cwd, and the saved cwd fd restores it. It resets the root too, to
// the mount namespace's own: a supervisor started in a chroot (a build chroot, a VM whose
// init chroots into its real root) would resolve every path against the namespace's root
// after its first container (STACK_ROOT gone: ENOENT), so the saved root fd restores it.

import fs from 'node:fs';
import { chroot, CLONE, fchdir, setns, unshare } from './libc.js';
import { spawnChild, type ChildOptions, type SpawnedChild } from './spawned-child.js';

// Order matters on the way back: mnt last (it needs the thread's own fs state, which
// unshare(NEWNS) gave it), then the root, then the cwd.
const KINDS = [
  ['net', CLONE.NEWNET],
  ['ipc', CLONE.NEWIPC],
  ['uts', CLONE.NEWUTS],
  ['pid', CLONE.NEWPID],
  ['mnt', CLONE.NEWNS],
] as const;

const FLAGS = KINDS.reduce((f, [, flag]) => f | flag, 0);

let saved: { ns: { fd: number; flag: number }[]; root: number; cwd: number } | undefined;

// libuv creates all threadpool threads on the first async fs call. Doing one now means no
// threadpool thread is ever born inside a window (it would inherit the container's
// namespaces); async fs work then always runs on the host.
// The callback form: fs.promises would load fs/promises (~1 ms of CPU), which a one-shot
// `stack run` has no other use for.
fs.stat('/', () => {});

/** Opens the fds of this thread's namespaces, root and cwd; idempotent, called on first use. */
export function openWindow(): void {
  if (saved) return;
  // thread-self, not self: the thread that opens the window is the one that must return
  // (self names the main thread, which differs if a worker_thread hosts the window).
  // O_CLOEXEC (Node's default) keeps these fds out of every child.
  saved = {
    ns: KINDS.map(([name, flag]) => ({ fd: fs.openSync(`/proc/thread-self/ns/${name}`, 'r'), flag })),
    root: fs.openSync('/', 'r'),
    cwd: fs.openSync('.', 'r'),
  };
}

/**
 * One namespace of the child: a new one (default), the host's own (`network_mode: host`,
 * `pid: host`…), or the one an open fd refers to (`service:X`, X's namespace).
 */
export type NetnsChoice = 'new' | 'host' | { join: number };

/** The child's net, ipc, uts and pid namespaces; a kind left out is a new one. */
export type NamespaceChoices = Partial<Record<'net' | 'ipc' | 'uts' | 'pid', NetnsChoice>>;

/**
 * Spawns `command` in new mount, uts, ipc, net and pid namespaces (the child is PID 1 of
 * the pid namespace), except where `choices` keeps the host's or joins another's. The
 * caller's thread is back in its own namespaces on return, also when the spawn throws.
 */
export function spawnInNewNamespaces(
  command: string,
  args: string[],
  options: ChildOptions,
  choices: NamespaceChoices = {},
): SpawnedChild {
  return spawnChild(command, args, options, (spawn) => inNewNamespaces(choices, spawn));
}

/** What a window does: the namespaces to unshare and to join, and where the thread goes back to. */
export interface WindowPlan {
  unshareFlags: number;
  joins: { fd: number; flag: number }[];
  /** This thread's own namespaces (mnt last), then its root and cwd. */
  back: { fd: number; flag: number }[];
  root: number;
  cwd: number;
}

/** The window for `choices`, from the namespaces, root and cwd saved by openWindow. */
export function windowPlan(choices: NamespaceChoices): WindowPlan {
  openWindow();
  const { ns, root, cwd } = saved!;
  const chosen = KINDS.flatMap(([name, flag]) => {
    const choice = name === 'mnt' ? 'new' : (choices[name] ?? 'new');
    return choice === 'new' ? [] : [{ flag, join: typeof choice === 'object' ? choice.join : undefined }];
  });
  return {
    unshareFlags: chosen.reduce((f, c) => f & ~c.flag, FLAGS),
    joins: chosen.flatMap((c) => (c.join === undefined ? [] : [{ fd: c.join, flag: c.flag }])),
    back: ns,
    root,
    cwd,
  };
}

function inNewNamespaces(choices: NamespaceChoices, spawn: () => number): number {
  const plan = windowPlan(choices);
  // A failed unshare changed nothing (and setns(mnt) would fail on the still shared fs state).
  unshare(plan.unshareFlags);
  try {
    // Joining happens inside the window too; the entries of `back` bring the thread back. A
    // joined pid namespace, like a new one, is where the thread's children go.
    for (const j of plan.joins) setns(j.fd, j.flag);
    return spawn();
  } finally {
    // If any of these fail the supervisor's own view is broken: let it throw loudly.
    for (const { fd, flag } of plan.back) setns(fd, flag);
    fchdir(plan.root);
    chroot('.');
    fchdir(plan.cwd);
  }
}

/**
 * Spawns `command` as a member of the PID namespace open as `pidNsFd` (a running
 * container's): setns(CLONE_NEWPID) only changes where this thread's children go, so the
 * thread goes back to its own right after the spawn, also when the spawn throws. Every
 * other namespace is the child's own business (see init/exec-main.ts): entering the
 * container's mount namespace here would hide `command` itself.
 */
export function spawnInPidNamespace(
  pidNsFd: number,
  command: string,
  args: string[],
  options: ChildOptions,
): SpawnedChild {
  return spawnChild(command, args, options, (spawn) => {
    openWindow();
    const own = saved!.ns.find((n) => n.flag === CLONE.NEWPID)!;
    setns(pidNsFd, CLONE.NEWPID);
    try {
      return spawn();
    } finally {
      setns(own.fd, CLONE.NEWPID);
    }
  });
}
