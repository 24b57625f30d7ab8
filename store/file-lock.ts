// An exclusive lock on a file, by flock(2): the kernel drops it when its holder dies, even
// by SIGKILL, so a crash never leaves a stale lock. Taken without blocking and retried,
// because a blocking flock would stop the caller's event loop (the supervisor keeps
// serving its socket and watching its containers while it waits). The file carries the
// holder's pid and command, for the message a waiter shows.

import fs from 'node:fs';
import path from 'node:path';
import { LOCK, tryFlock } from '../executor/host/linux/libc.js';
import { makePrivateDirSync } from './private-files.js';

export interface FileLock {
  /** Lets the next holder in. With `removeFile`, the lock file goes too. */
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

export async function acquireFileLock(file: string, opts: AcquireOptions): Promise<FileLock> {
  let told = false;
  for (;;) {
    const { lock, taken } = tryOnce(file, opts.command);
    if (lock) return lock;
    if (!taken && !told) {
      told = true;
      opts.onWait?.(readHolder(file));
    }
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 50));
  }
}

/**
 * The lock if it is free right now, else undefined (never waits). With `existing`, only
 * a lock file that is still there: one removed meanwhile (its folder with it) is not made
 * again, and the answer is undefined.
 */
export function tryFileLock(file: string, command: string, opts: { existing?: boolean } = {}): FileLock | undefined {
  return tryOnce(file, command, !opts.existing).lock;
}

function tryOnce(file: string, command: string, create = true): { lock?: FileLock; taken: boolean } {
  if (create) makePrivateDirSync(path.dirname(file));
  let fd: number;
  try {
    fd = fs.openSync(file, fs.constants.O_RDWR | (create ? fs.constants.O_CREAT : 0), 0o600);
  } catch (err) {
    if (!create && (err as NodeJS.ErrnoException).code === 'ENOENT') return { taken: false };
    throw err;
  }
  let taken = false;
  try {
    taken = tryFlock(fd, LOCK.EX);
    // A holder that removed the file after we opened it left us a lock on a dead inode.
    if (taken && sameFile(fd, file)) {
      fs.ftruncateSync(fd, 0);
      fs.writeSync(fd, JSON.stringify({ pid: process.pid, command } satisfies LockHolder), 0);
      return { lock: release(fd, file), taken };
    }
  } catch (err) {
    fs.closeSync(fd);
    throw err;
  }
  fs.closeSync(fd);
  return { taken };
}

function release(fd: number, file: string): FileLock {
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
