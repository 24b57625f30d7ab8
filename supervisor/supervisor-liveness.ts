// Whether a stack's supervisor runs, for the CLI (`ps`, connecting): whether someone holds
// its lock (supervisor-lock.ts), read from /proc/locks without taking it. Light: no koffi.

import path from 'node:path';
import { flockHolder } from '../store/flock-holder.js';
import { paths } from '../store/paths.js';

export function supervisorLockFile(project: string): string {
  return path.join(paths.runDir(project), 'supervisor.lock');
}

/** The pid of the stack's running supervisor, or undefined when none runs. */
export function runningSupervisor(project: string): number | undefined {
  return flockHolder(supervisorLockFile(project));
}
