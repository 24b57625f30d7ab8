// The host-wide allocation lock and the claims of applies in progress (model/claims.ts).
// The lock is a flock on $STACK_RUN/allocation.lock, shared by every stack of that
// STACK_RUN; a claim is $STACK_RUN/<project>/claims.json with the supervisor's pid and
// start time: a claim whose supervisor died takes nothing (its apply goes no further, and
// what it made has state records), and `down` removes the run dir, claim included.

import fs from 'node:fs/promises';
import type { Host } from '../executor/host.js';
import type { ProjectClaims } from '../model/claims.js';
import { acquireFileLock, type FileLock } from './file-lock.js';
import { readJson, writeJsonAtomic } from './json-file.js';
import { paths, stackRun } from './paths.js';
import { isSameProcess, readStartTime } from './proc-stat.js';

interface ClaimRecord extends ProjectClaims {
  pid: number;
  startTime?: number;
}

/** The lock is held for an observe and a reconcile (milliseconds): poll often. */
const POLL_MS = 5;

/** Waits for the host-wide allocation lock; `holder` says who takes it (`stack run` takes it too). */
export function lockAllocation(holder: string): Promise<FileLock> {
  return acquireFileLock(paths.allocationLock(), { command: holder, pollMs: POLL_MS });
}

export function createLinuxAllocation(): Omit<Host['allocation'], 'takenSubnets'> {
  return {
    lock: (project) => lockAllocation(`supervisor of ${project}: planning`),
    claim: async (project, claims) => {
      const record: ClaimRecord = { project, pid: process.pid, ...optional(readStartTime(process.pid)), ...claims };
      await writeJsonAtomic(paths.claims(project), record);
    },
    unclaim: (project) => fs.rm(paths.claims(project), { force: true }),
  };
}

const optional = (startTime: number | undefined) => (startTime === undefined ? {} : { startTime });

/** The claims of every other stack whose supervisor still runs. */
export async function readClaims(exceptProject: string): Promise<ProjectClaims[]> {
  let entries: string[];
  try {
    entries = await fs.readdir(stackRun());
  } catch {
    return [];
  }
  const claims = await Promise.all(entries.filter((p) => p !== exceptProject).map(readLiveClaims));
  return claims.filter((c): c is ProjectClaims => c !== undefined);
}

/**
 * The claims of `project`'s apply in progress, if its supervisor still runs. `observe`
 * leaves a stack's own claims out (its apply is the only one the stack lock lets run), but
 * `stack run` takes no stack lock and starts beside that apply, so it reads them here.
 */
export async function readLiveClaims(project: string): Promise<ProjectClaims | undefined> {
  // Entries that are no run dir (lock files) have no claims.json: ENOTDIR reads as none.
  const r = await readJson<ClaimRecord>(paths.claims(project)).catch(() => undefined);
  if (!r || !isSameProcess(r.pid, r.startTime)) return undefined;
  return {
    project: r.project,
    subnets: r.subnets,
    ports: r.ports,
    addresses: r.addresses,
    // Claims written before bridges were claimed hold none.
    bridges: r.bridges ?? [],
    ...(r.defaultBridge ? { defaultBridge: r.defaultBridge } : {}),
  };
}
