// ulimits: setrlimit before execve. Names as docker and compose spell them.

import { ULIMIT_NAMES } from '../../../../model/limits.js';
import type { Sys } from './sys.js';

/** RLIMIT_* numbers on Linux (the same on x86_64 and aarch64): ULIMIT_NAMES is in that order. */
export const RLIMITS: Record<string, number> = Object.fromEntries(ULIMIT_NAMES.map((name, num) => [name, num]));

export function applyUlimits(sys: Sys, ulimits: Record<string, { soft: number; hard: number }>): void {
  for (const [name, { soft, hard }] of Object.entries(ulimits)) {
    const resource = RLIMITS[name];
    if (resource === undefined) throw new Error(`unknown ulimit ${name} (known: ${Object.keys(RLIMITS).join(', ')})`);
    sys.setrlimit(resource, soft, hard);
  }
}
