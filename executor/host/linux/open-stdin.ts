// The stdin of a container that runs detached. Docker gives one without `stdin_open` (-i)
// /dev/null (a command that reads stdin gets EOF at once), and one with it a stdin kept
// open: its reads wait, `cat` keeps running. Here that stdin is a FIFO in the container's
// folder opened for reading and writing: the container holds a writer itself, so it never
// sees EOF, whatever becomes of the supervisor that spawned it.

import fs from 'node:fs';
import path from 'node:path';
import { mknod } from './libc.js';

const S_IFIFO = 0o010000;

/** 'ignore' (/dev/null), or an fd of the kept-open FIFO for the spawn's stdio[0]; the caller closes it. */
export function containerStdin(containerDir: string, stdinOpen: boolean | undefined): 'ignore' | number {
  if (!stdinOpen) return 'ignore';
  const fifo = path.join(containerDir, 'stdin');
  if (!fs.existsSync(fifo)) mknod(fifo, S_IFIFO | 0o600, 0, 0);
  // O_RDWR on a FIFO does not wait for a peer (Linux).
  return fs.openSync(fifo, 'r+');
}

/**
 * An fd writing into a running container's kept-open stdin (`stack attach`), or undefined
 * when it has none (no `stdin_open`). Opened read-write as the container's own end is: a
 * FIFO opened so never waits for a peer, and the container never sees our end's close.
 */
export function stdinWriter(containerDir: string): number | undefined {
  try {
    return fs.openSync(path.join(containerDir, 'stdin'), fs.constants.O_RDWR | fs.constants.O_NOFOLLOW);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
