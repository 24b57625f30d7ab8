// The fds a stack process was started with beyond 0, 1 and 2. A shell's `stack up 30<file`
// or a careless parent leaves fds open without close-on-exec, and spawn (libuv) passes every
// such fd to every child: the CLI to the supervisor and to `exec`/`run` stages, the supervisor
// to every container's PID 1. Node itself opens everything with O_CLOEXEC, so an fd without
// it is one we were given, never one we use: the CLI and the supervisor close them first
// thing. Plain fs on /proc, no koffi: the CLI runs this at every start.

import fs from 'node:fs';

/** O_CLOEXEC as /proc/self/fdinfo's octal `flags:` shows it (the kernel adds it from the fd table). */
const O_CLOEXEC = 0o2000000;

/** The fds of process `pid` (this one by default), in no particular order. */
export function openFdNumbers(pid: number | 'self' = 'self'): number[] {
  return fs.readdirSync(`/proc/${pid}/fd`).map(Number);
}

/**
 * This process's fds with what each refers to (`socket:[123]`, a path). Compare two of
 * these, not bare numbers, to find what was opened between them: the fd that read the
 * directory is listed too and its number is free again right after.
 */
export function openFdTargets(): Map<number, string> {
  const out = new Map<number, string>();
  for (const fd of openFdNumbers()) {
    try {
      out.set(fd, fs.readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      // the listing's own fd, closed already
    }
  }
  return out;
}

/** Whether `fd` of process `pid` is close-on-exec; undefined when it is not open (any more). */
export function isCloseOnExec(fd: number, pid: number | 'self' = 'self'): boolean | undefined {
  try {
    const flags = /^flags:\s*([0-7]+)/m.exec(fs.readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'))?.[1];
    return flags === undefined ? undefined : (parseInt(flags, 8) & O_CLOEXEC) !== 0;
  } catch {
    return undefined;
  }
}

/**
 * Closes every fd from 3 up that is not close-on-exec, except Node's IPC channel to a parent
 * that forked us with one. Returns the fds closed. `closeOnExec` asks about one fd
 * (close-inherited-fds-fcntl.ts asks fcntl).
 */
export function closeInheritedFds(
  closeOnExec: (fd: number) => boolean | undefined = (fd) => isCloseOnExec(fd),
): number[] {
  const ipc = Number(process.env.NODE_CHANNEL_FD ?? -1);
  const closed = openFdNumbers().filter((fd) => fd > 2 && fd !== ipc && closeOnExec(fd) === false);
  for (const fd of closed) fs.closeSync(fd);
  return closed;
}
