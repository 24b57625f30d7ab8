// One supervisor per stack: it holds a flock on STACK_RUN/<project>/supervisor.lock for as
// long as it runs, and the kernel drops it when it dies (even by SIGKILL). Whether a stack's
// supervisor runs is whether that lock is held — not whether a socket file answers: a
// deleted socket let a second supervisor start beside the first, both restarting the
// same containers.

import { tryFileLock, type FileLock } from '../executor/host/linux/file-lock.js';
import { supervisorLockFile } from './supervisor-liveness.js';

/**
 * The stack's supervisor lock, waiting at most `waitMs` for it: a supervisor that just died
 * (one a watchdog replaces) may hold it for a few more ms. Undefined when another
 * supervisor keeps it.
 */
export async function takeSupervisorLock(project: string, waitMs: number): Promise<FileLock | undefined> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const lock = tryFileLock(supervisorLockFile(project), 'stack supervisor');
    if (lock || Date.now() >= deadline) return lock;
    await new Promise((r) => setTimeout(r, 20));
  }
}
