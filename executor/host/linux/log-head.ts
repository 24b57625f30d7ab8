// Dropping the start of a container's log file while the container appends to it
// (store/log-rotation.ts decides what and when). The container writes straight into the
// file with O_APPEND, so the file cannot be swapped under it; fallocate's
// FALLOC_FL_COLLAPSE_RANGE removes whole blocks from the start atomically with respect to
// those appends (both hold the inode lock), so no byte written meanwhile is lost.
// ext4 and xfs have it; tmpfs, btrfs and overlayfs do not (store/log-rotation.ts then
// truncates, which can lose what is written during the copy).

import fs from 'node:fs';
import path from 'node:path';
import { collapseRange } from './libc.js';
import { SyscallError } from './syscall-error.js';

const support = new Map<string, boolean>();

/** Whether the filesystem of `dir` can collapse the start of a file (tried once per folder on a scratch file). */
export function canDropLogHead(dir: string): boolean {
  const known = support.get(dir);
  if (known !== undefined) return known;
  const scratch = path.join(dir, `.collapse-probe-${process.pid}`);
  let works = false;
  let fd: number | undefined;
  try {
    fd = fs.openSync(scratch, 'w+', 0o600);
    const block = fs.fstatSync(fd).blksize || 4096;
    fs.writeSync(fd, Buffer.alloc(block * 2 + 1));
    fs.fsyncSync(fd); // delayed allocation: some filesystems refuse to collapse unwritten extents
    collapseRange(fd, 0, block);
    works = fs.fstatSync(fd).size === block + 1;
  } catch (err) {
    if (!(err instanceof SyscallError)) throw err;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
    fs.rmSync(scratch, { force: true });
  }
  support.set(dir, works);
  return works;
}

/** Removes the first `bytes` of `file` (a multiple of its block size, less than its size). */
export function dropLogHead(file: string, bytes: number): void {
  const fd = fs.openSync(file, 'r+');
  try {
    collapseRange(fd, 0, bytes);
  } finally {
    fs.closeSync(fd);
  }
}
