// glibc's posix_spawn through koffi: a child without a copy of the calling process. Node's
// child_process forks (libuv 1.46), copying the page tables of the whole supervisor, and
// its main thread then waits until the child's execve has torn that copy down; glibc spawns
// with clone(CLONE_VM|CLONE_VFORK), so the caller waits only until the exec (~0.14 ms
// against ~1.1–1.5 ms for a ~60 MB process, docs/cli.md "Spawning without a fork"). The
// child inherits the calling thread's namespaces, as a forked one does.

import { closeSync } from 'node:fs';
import os from 'node:os';
import { koffi } from './koffi.js';
import { dupAtLeast } from './libc.js';
import { errnoName, SyscallError } from './syscall-error.js';

const lib = koffi.load('libc.so.6');

const c = {
  spawn: lib.func(
    'int posix_spawn(_Out_ int *pid, const char *path, const uint8_t *actions, const uint8_t *attr, const char **argv, const char **envp)',
  ),
  actionsInit: lib.func('int posix_spawn_file_actions_init(uint8_t *actions)'),
  actionsDestroy: lib.func('int posix_spawn_file_actions_destroy(uint8_t *actions)'),
  addDup2: lib.func('int posix_spawn_file_actions_adddup2(uint8_t *actions, int fd, int newfd)'),
  attrInit: lib.func('int posix_spawnattr_init(uint8_t *attr)'),
  attrSetFlags: lib.func('int posix_spawnattr_setflags(uint8_t *attr, short flags)'),
  attrSetSigDefault: lib.func('int posix_spawnattr_setsigdefault(uint8_t *attr, const uint8_t *set)'),
  attrSetSigMask: lib.func('int posix_spawnattr_setsigmask(uint8_t *attr, const uint8_t *set)'),
  waitpid: lib.func('int waitpid(int pid, _Out_ int *status, int options)'),
  socketpair: lib.func('int socketpair(int domain, int type, int protocol, _Out_ int *fds)'),
};
// glibc 2.34+; without it the copies (close-on-exec) go at the exec, and Node's own fds are all close-on-exec.
const addCloseFrom = (() => {
  try {
    return lib.func('int posix_spawn_file_actions_addclosefrom_np(uint8_t *actions, int from)');
  } catch {
    return undefined;
  }
})();

// <spawn.h> on glibc; the opaque structs are 80 and 336 bytes on x86_64 and aarch64.
const SETSIGDEF = 0x04;
const SETSIGMASK = 0x08;
const SETSID = 0x80;
const WNOHANG = 1;
const AF_UNIX = 1;
const SOCK_STREAM_CLOEXEC = 1 | 0o2000000;

/**
 * Every signal back to its default (Node ignores SIGPIPE and SIGXFSZ, and a child would keep
 * that), none blocked. The set is filled by hand: glibc's sigfillset leaves out its internal
 * signals (32, 33), and the spawned child would then ignore signal 32 for good.
 */
const attrTemplate = (() => {
  const all = Buffer.alloc(128);
  all.fill(0xff, 0, 8);
  const none = Buffer.alloc(128);
  const attr = Buffer.alloc(512);
  c.attrInit(attr);
  c.attrSetSigDefault(attr, all);
  c.attrSetSigMask(attr, none);
  return attr;
})();

export interface PosixSpawnRequest {
  path: string;
  argv: string[];
  env: Record<string, string>;
  /** The child's fd i is the caller's fds[i]; nothing else crosses. */
  fds: number[];
  /** A session of its own (setsid), so it outlives the caller. */
  setsid: boolean;
}

/** The failure of a spawn, as Node's child_process reports it ("spawn /path ENOENT"). */
export class SpawnFailedError extends Error {
  readonly code: string;
  constructor(
    readonly path: string,
    readonly errno: number,
  ) {
    super(`spawn ${path} ${errnoName(errno)}`);
    this.name = 'SpawnFailedError';
    this.code = errnoName(errno);
  }
}

/** Spawns and returns the child's pid; throws SpawnFailedError when it could not exec (ENOENT, EACCES…). */
export function posixSpawn(req: PosixSpawnRequest): number {
  const spawn = spawnArguments(req);
  try {
    const pid = [0];
    const rc = c.spawn(pid, ...spawn.args);
    if (rc !== 0) throw new SpawnFailedError(req.path, rc);
    return pid[0]!;
  } finally {
    spawn.done();
  }
}

/** posix_spawn's arguments after its pid: path, file actions, attributes, argv, envp. */
export type SpawnArguments = [string, Buffer, Buffer, (string | null)[], (string | null)[]];

/**
 * posix_spawn's arguments for `req`, made on this thread (the fd copies among them), for a
 * spawn here or wherever it runs (threadpool-window.ts); `done` frees them once it returned.
 */
export function spawnArguments(req: PosixSpawnRequest): { args: SpawnArguments; done: () => void } {
  const actions = Buffer.alloc(128);
  c.actionsInit(actions);
  const copies: number[] = [];
  const done = () => {
    c.actionsDestroy(actions);
    for (const copy of copies) closeSync(copy);
  };
  try {
    // Through close-on-exec copies above the child's fd numbers, made here: dup2(fd, fd) would
    // keep Node's close-on-exec flag on an inherited 0–2, and a source may sit where another
    // target goes. Copies at fixed numbers above every source (the child's own dup2s) fail
    // past the fd limit, and a failed file action left the child without that fd.
    for (const fd of req.fds) copies.push(dupAtLeast(fd, req.fds.length));
    copies.forEach((copy, i) => fileAction('posix_spawn_file_actions_adddup2', c.addDup2(actions, copy, i), [copy, i]));
    if (addCloseFrom)
      fileAction('posix_spawn_file_actions_addclosefrom_np', addCloseFrom(actions, req.fds.length), [req.fds.length]);
    const attr = Buffer.from(attrTemplate);
    c.attrSetFlags(attr, SETSIGDEF | SETSIGMASK | (req.setsid ? SETSID : 0));
    const env = Object.entries(req.env).map(([k, v]) => `${k}=${v}`);
    return { args: [req.path, actions, attr, [...req.argv, null], [...env, null]], done };
  } catch (err) {
    done();
    throw err;
  }
}

/** The file actions return an errno (EBADF, ENOMEM), not -1. */
function fileAction(call: string, rc: number, args: unknown[]): void {
  if (rc !== 0) throw new SyscallError(call, rc, args);
}

/** A connected pair of unix stream sockets, both close-on-exec (what Node's 'pipe' stdio makes). */
export function socketPair(): [number, number] {
  const fds = new Int32Array(2);
  if (c.socketpair(AF_UNIX, SOCK_STREAM_CLOEXEC, 0, fds) !== 0)
    throw new SyscallError('socketpair', koffi.errno(), ['AF_UNIX', 'SOCK_STREAM|SOCK_CLOEXEC']);
  return [fds[0]!, fds[1]!];
}

/**
 * waitpid(pid, WNOHANG): undefined while it runs, else its exit code, 128 + n when signal n
 * killed it. Only ever for a pid we spawned: a waitpid(-1) would take libuv's children.
 */
export function reapIfExited(pid: number): number | undefined {
  const status = [0];
  const rc = c.waitpid(pid, status, WNOHANG);
  if (rc === 0 || (rc < 0 && koffi.errno() === os.constants.errno.EINTR)) return undefined;
  // ECHILD: someone else reaped it (nothing here does); it is gone, its code unknown.
  if (rc < 0) return 255;
  const s = status[0]!;
  return (s & 0x7f) === 0 ? (s >> 8) & 0xff : 128 + (s & 0x7f);
}
