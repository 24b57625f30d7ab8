// The host-wide allocation lock and the claims of applies in progress (planner/claims.ts).
// The lock is a flock on $STACK_RUN/allocation.lock, shared by every stack of that
// STACK_RUN; a claim is $STACK_RUN/<project>/claims.json with the supervisor's pid and
// start time: a claim whose supervisor died takes nothing (its apply goes no further, and
// what it made has state records), and `down` removes the run dir, claim included.

import fs from 'node:fs/promises';
import type { Host } from '../../host.js';
import type { ProjectClaims } from '../../../planner/claims.js';
import { acquireFileLock } from './file-lock.js';
import { readJson, writeJsonAtomic } from './json-file.js';
import { paths, stackRun } from './paths.js';
import { isSameProcess, readStartTime } from './proc-stat.js';

interface ClaimRecord extends ProjectClaims {
  pid: number;
  startTime?: number;
}

/** The lock is held for an observe and a reconcile (milliseconds): poll often. */
const POLL_MS = 5;

export function createLinuxAllocation(): Host['allocation'] {
  return {
    lock: (project) => acquireFileLock(paths.allocationLock(), { command: `supervisor of ${project}: planning`, pollMs: POLL_MS }),
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
  // Entries that are no run dir (lock files) have no claims.json: ENOTDIR reads as none.
  const records = await Promise.all(entries.filter((p) => p !== exceptProject).map((p) => readJson<ClaimRecord>(paths.claims(p)).catch(() => undefined)));
  return records
    .filter((r): r is ClaimRecord => !!r && isSameProcess(r.pid, r.startTime))
    .map(({ project, subnets, ports, addresses }) => ({ project, subnets, ports, addresses }));
}
