// ulimits: setrlimit before execve. Names as docker and compose spell them.

import type { Sys } from './sys.js';

/** RLIMIT_* numbers on Linux (the same on x86_64 and aarch64). */
export const RLIMITS: Record<string, number> = {
  cpu: 0, fsize: 1, data: 2, stack: 3, core: 4, rss: 5, nproc: 6, nofile: 7, memlock: 8, as: 9,
  locks: 10, sigpending: 11, msgqueue: 12, nice: 13, rtprio: 14, rttime: 15,
};

export function applyUlimits(sys: Sys, ulimits: Record<string, { soft: number; hard: number }>): void {
  for (const [name, { soft, hard }] of Object.entries(ulimits)) {
    const resource = RLIMITS[name];
    if (resource === undefined) throw new Error(`unknown ulimit ${name} (known: ${Object.keys(RLIMITS).join(', ')})`);
    sys.setrlimit(resource, soft, hard);
  }
}
