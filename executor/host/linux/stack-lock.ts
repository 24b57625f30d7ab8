// The per-stack lock: `up`, `down` and every watch cycle hold it while they change a
// stack, so two commands on one stack never interleave. A second command waits (saying
// who holds it) rather than failing: the first one finishes within seconds, and a waiting
// `down` after an `up` is what the user meant. flock(2) on $STACK_RUN/<project>.lock:
// the kernel drops it when its holder dies, even by SIGKILL, so a crash never leaves a
// stale lock. The file sits beside the stack's run directory (which `down` removes) and
// carries the holder's pid and command for the waiting message.

import fs from 'node:fs';
import path from 'node:path';
import { LOCK, tryFlock } from './libc.js';
import { stackRun } from './paths.js';

export interface StackLock {
  /** Lets the next command in. With `removeFile`, the lock file goes too (after `down`). */
  release(opts?: { removeFile?: boolean }): void;
}

export interface LockHolder {
  pid: number;
  command: string;
}

export interface AcquireOptions {
  /** What the holder is doing, shown to waiters: `stack up`, `stack down`, … */
  command: string;
  /** Called once when the lock is busy, with whoever holds it (if the file says). */
  onWait?: (holder: LockHolder | undefined) => void;
  pollMs?: number;
}

export function lockFile(project: string): string {
  return path.join(stackRun(), `${project}.lock`);
}

export async function acquireStackLock(project: string, opts: AcquireOptions): Promise<StackLock> {
  const file = lockFile(project);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let told = false;
  for (;;) {
    const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o600);
    let taken = false;
    try {
      taken = tryFlock(fd, LOCK.EX);
      // A holder that removed the file after we opened it left us a lock on a dead inode.
      if (taken && sameFile(fd, file)) {
        fs.ftruncateSync(fd, 0);
        fs.writeSync(fd, JSON.stringify({ pid: process.pid, command: opts.command } satisfies LockHolder), 0);
        return release(fd, file);
      }
    } catch (err) {
      fs.closeSync(fd);
      throw err;
    }
    fs.closeSync(fd);
    if (!taken && !told) {
      told = true;
      opts.onWait?.(readHolder(file));
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 50));
  }
}

function release(fd: number, file: string): StackLock {
  let released = false;
  return {
    release(opts = {}) {
      if (released) return;
      released = true;
      // Unlink while still holding it: a waiter that opened the old file sees it is gone.
      if (opts.removeFile) fs.rmSync(file, { force: true });
      fs.closeSync(fd);
    },
  };
}

function sameFile(fd: number, file: string): boolean {
  try {
    return fs.fstatSync(fd).ino === fs.statSync(file).ino;
  } catch {
    return false;
  }
}

function readHolder(file: string): LockHolder | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

/** The waiting message commands print: "waiting for the lock held by pid N (stack up)". */
export function waitingMessage(project: string, holder: LockHolder | undefined): string {
  return `stack ${project}: waiting for the lock held by ${holder ? `pid ${holder.pid} (${holder.command})` : 'another command'}`;
}

