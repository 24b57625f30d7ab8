// One supervisor per stack: it holds a flock on STACK_RUN/<project>/supervisor.lock for as
// long as it runs, and the kernel drops it when it dies (even by SIGKILL). Whether a stack's
// supervisor runs is whether that lock is held — not whether a socket file answers: a
// deleted socket let a second supervisor start beside the first, both restarting the
// same containers.

import fs from 'node:fs';
import { tryFileLock, type FileLock } from '../store/file-lock.js';
import { supervisorLockFile } from './supervisor-liveness.js';

/**
 * The stack's supervisor lock, waiting at most `waitMs` for it: a supervisor that just died
 * (one a watchdog replaces) may hold it a moment longer, and two started at once (a
 * watchdog's and a command's) each try. Undefined when another supervisor keeps it — or
 * when the lock file went meanwhile: the stack was brought down (`down` removes the run
 * folder), and a waiter must not make it again for a stack that is gone.
 */
export async function takeSupervisorLock(project: string, waitMs: number): Promise<FileLock | undefined> {
  const file = supervisorLockFile(project);
  const lock = tryFileLock(file, COMMAND);
  if (lock) return lock;
  for (const deadline = Date.now() + waitMs; Date.now() < deadline;) {
    await new Promise((r) => setTimeout(r, 20));
    if (!fs.existsSync(file)) return undefined;
    const later = tryFileLock(file, COMMAND, { existing: true });
    if (later) return later;
  }
  return undefined;
}

const COMMAND = 'stack supervisor';
