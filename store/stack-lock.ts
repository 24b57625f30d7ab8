// The per-stack lock: `up`, `down` and every watch cycle hold it while they change a
// stack, so two commands on one stack never interleave. A second command waits (saying
// who holds it) rather than failing: the first one finishes within seconds, and a waiting
// `down` after an `up` is what the user meant. A flock (file-lock.ts) on
// $STACK_RUN/<project>.lock, beside the stack's run directory (which `down` removes).
// Different stacks do not wait for each other here; what they both take from the host
// (subnets, host ports, addresses) is ordered by the allocation lock (allocation.ts).

import path from 'node:path';
import { acquireFileLock, tryFileLock, type AcquireOptions, type FileLock, type LockHolder } from './file-lock.js';
import { stackRun } from './paths.js';

export type { AcquireOptions, LockHolder };
export type StackLock = FileLock;

export function lockFile(project: string): string {
  return path.join(stackRun(), `${project}.lock`);
}

export function acquireStackLock(project: string, opts: AcquireOptions): Promise<StackLock> {
  return acquireFileLock(lockFile(project), opts);
}

/** The stack's lock if no command holds it right now, else undefined. */
export function tryStackLock(project: string, command: string): StackLock | undefined {
  return tryFileLock(lockFile(project), command);
}

/** The waiting message commands print: "waiting for the lock held by pid N (stack up)". */
export function waitingMessage(project: string, holder: LockHolder | undefined): string {
  return `stack ${project}: waiting for the lock held by ${holder ? `pid ${holder.pid} (${holder.command})` : 'another command'}`;
}
