// Capabilities of a container's process. As uid 0, execve recomputes the permitted set from
// the bounding set, so the bounding set is cut first; ambient caps are cleared; then capset
// fixes what a root process keeps. Inheritable stays empty (moby did the same after
// CVE-2022-24769). A non-root user gets none (its setuid clears them), as with docker.

import fs from 'node:fs';
import { ALL_CAPABILITIES } from '../../../../model/capabilities.js';
import type { Sys } from './sys.js';

export function capMask(caps: number[]): bigint {
  return caps.reduce((m, c) => m | (1n << BigInt(c)), 0n);
}

/** ALL_CAPABILITIES is in kernel number order: a name's index is its number. */
export function capabilityNumbers(names: string[]): number[] {
  return names.map((name) => {
    const num = ALL_CAPABILITIES.indexOf(name);
    if (num < 0) throw new Error(`unknown capability ${name}`);
    return num;
  });
}

/** This process's permitted set: what the host withholds (CAP_SYS_RESOURCE on some hosts) cannot be handed on. */
function permitted(): bigint {
  const line = fs
    .readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('CapPrm:'));
  return line ? BigInt(`0x${line.slice(7).trim()}`) : (1n << 64n) - 1n;
}

/** Numbers of the named capabilities this process can keep (a privileged container gets all the host has). */
export function keptCapabilities(names: string[]): number[] {
  const have = permitted();
  return capabilityNumbers(names).filter((c) => ((have >> BigInt(c)) & 1n) === 1n);
}

/** The highest capability number this kernel knows. */
export function lastCapability(): number {
  try {
    return Number(fs.readFileSync('/proc/sys/kernel/cap_last_cap', 'utf8'));
  } catch {
    return 40; // older kernels: 40 covers every cap defined so far
  }
}

/** Cuts the bounding set to `keep` and clears ambient caps: no later execve can give back anything else. */
export function dropBoundingSet(sys: Sys, keep: number[]): void {
  const last = lastCapability();
  const kept = new Set(keep);
  for (let cap = 0; cap <= last; cap++) if (!kept.has(cap)) sys.dropBoundingCap(cap);
  sys.clearAmbientCaps();
}
