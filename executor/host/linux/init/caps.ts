// Drops the init stage's capabilities to Docker's default set right before execve. As uid 0,
// execve recomputes the permitted set from the bounding set, so the bounding set is cut
// first; ambient caps are cleared; then capset fixes what this process keeps. Inheritable
// stays empty (moby did the same after CVE-2022-24769).

import fs from 'node:fs';
import type { Sys } from './sys.js';

/** chown dac_override fowner fsetid kill setgid setuid setpcap net_bind_service net_raw
 * sys_chroot mknod audit_write setfcap — 0xa80425fb, what `docker run` shows as CapEff. */
export const DEFAULT_CAPS = [0, 1, 3, 4, 5, 6, 7, 8, 10, 13, 18, 27, 29, 31];

export function capMask(caps: number[]): bigint {
  return caps.reduce((m, c) => m | (1n << BigInt(c)), 0n);
}

/** Cuts the bounding set to `keep`: no later execve can give back anything else. */
export function dropBoundingSet(sys: Sys, keep: number[]): void {
  let last = 40;
  try {
    last = Number(fs.readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8'));
  } catch { /* older kernels: 40 covers every cap defined so far */ }
  const kept = new Set(keep);
  for (let cap = 0; cap <= last; cap++) if (!kept.has(cap)) sys.dropBoundingCap(cap);
}

export function dropCapabilities(sys: Sys, keep: number[] = DEFAULT_CAPS): void {
  dropBoundingSet(sys, keep);
  sys.clearAmbientCaps();
  const mask = capMask(keep);
  sys.capset(mask, mask, 0n);
}
