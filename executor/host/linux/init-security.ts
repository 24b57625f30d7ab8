// The runtime half of a ContainerSpec, checked against this host and shaped for the init
// stage. Problems the host causes (no tini, a ulimit above the host's hard limit) are found
// here, before anything is spawned, with the fix in the message.

import fs from 'node:fs';
import type { ContainerSpec } from '../../../model/plan.js';
import type { InitSecurity } from './init/config.js';
import type { ProcessRestrictions } from './init/restrictions.js';
import { RLIMITS } from './init/limits.js';
import { effectiveCapabilities } from '../../../model/capabilities.js';

/** Where Debian's `tini` package puts its static build (what docker bind-mounts as docker-init). */
export const TINI_PATHS = ['/usr/bin/tini-static', '/usr/bin/docker-init', '/usr/libexec/docker/docker-init'];

export class ContainerConfigError extends Error {
  constructor(container: string, message: string) {
    super(`container ${container}: ${message}`);
    this.name = 'ContainerConfigError';
  }
}

const CAP_SYS_RESOURCE = 24;

function hasCapSysResource(): boolean {
  const line = fs
    .readFileSync('/proc/self/status', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('CapEff:'));
  return !!line && ((BigInt(`0x${line.slice(7).trim()}`) >> BigInt(CAP_SYS_RESOURCE)) & 1n) === 1n;
}

/** Hard limits of this process by resource name, from /proc/self/limits (-1 = unlimited). */
function hostHardLimits(): Map<string, number> {
  // Rows like "Max open files   20000   20000   files": the same order as RLIMIT numbers.
  const rows = fs
    .readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .slice(1)
    .filter((l) => l.trim() !== '');
  const byNumber = Object.entries(RLIMITS).sort((a, b) => a[1] - b[1]);
  const out = new Map<string, number>();
  rows.forEach((row, i) => {
    const hard = row.slice(26).trim().split(/\s+/)[1];
    if (byNumber[i] && hard) out.set(byNumber[i]![0], hard === 'unlimited' ? -1 : Number(hard));
  });
  return out;
}

export function checkUlimits(name: string, ulimits: ContainerSpec['ulimits']): void {
  if (Object.keys(ulimits).length === 0 || hasCapSysResource()) return;
  const hard = hostHardLimits();
  for (const [key, lim] of Object.entries(ulimits)) {
    if (RLIMITS[key] === undefined)
      throw new ContainerConfigError(name, `unknown ulimit ${key}; known: ${Object.keys(RLIMITS).join(', ')}`);
    const max = hard.get(key);
    if (max === undefined || max < 0) continue;
    const over = [lim.soft, lim.hard].find((v) => v < 0 || v > max);
    if (over !== undefined) {
      throw new ContainerConfigError(
        name,
        `ulimit ${key} ${over < 0 ? 'unlimited' : over} is above this host's hard limit ${max} ` +
          `(stack runs without CAP_SYS_RESOURCE, so it cannot raise it); set ulimits.${key} to at most ${max}`,
      );
    }
  }
}

/**
 * The kernel lets a process lower its oom_score_adj below what it inherited only with
 * CAP_SYS_RESOURCE, which stack may run without (as on hosts that drop it for root).
 */
export function checkOomScoreAdj(name: string, value: number | undefined): void {
  if (value === undefined || hasCapSysResource()) return;
  const own = Number(fs.readFileSync('/proc/self/oom_score_adj', 'utf8'));
  if (value < own)
    throw new ContainerConfigError(
      name,
      `oom_score_adj ${value} is below stack's own ${own}, and stack runs without CAP_SYS_RESOURCE, so the kernel refuses to lower it; give ${own} or more, or run stack with CAP_SYS_RESOURCE`,
    );
}

function initBinary(name: string): string {
  const found = TINI_PATHS.find((p) => fs.existsSync(p));
  if (!found)
    throw new ContainerConfigError(
      name,
      `init: true needs a static tini on the host (${TINI_PATHS[0]}); install it with apt-get install tini`,
    );
  return found;
}

/** What every process of the container is held to: its command (init stage) and `stack exec` (exec stage). */
export function processRestrictions(spec: ContainerSpec): Omit<ProcessRestrictions, 'user'> {
  if (spec.seccomp !== 'default' && spec.seccomp !== 'unconfined') {
    throw new ContainerConfigError(
      spec.name,
      `seccomp profile files (${spec.seccomp}) are not supported yet; use seccomp=unconfined or leave the default filter`,
    );
  }
  checkUlimits(spec.name, spec.ulimits);
  checkOomScoreAdj(spec.name, spec.resources.oomScoreAdj);
  return {
    capabilities: spec.capabilities,
    noNewPrivileges: spec.noNewPrivileges,
    // privileged means no filter, as with docker
    seccomp: spec.privileged ? 'unconfined' : spec.seccomp,
    ulimits: spec.ulimits,
  };
}

/** A privileged exec (`docker exec --privileged`): every capability and no seccomp filter. */
export function privilegedRestrictions(spec: ContainerSpec): Omit<ProcessRestrictions, 'user'> {
  const all = effectiveCapabilities({ privileged: true, capAdd: [], capDrop: [] });
  return { ...processRestrictions(spec), capabilities: all, seccomp: 'unconfined' };
}

export function initSecurity(spec: ContainerSpec): InitSecurity {
  return {
    ...processRestrictions(spec),
    privileged: spec.privileged,
    user: spec.user,
    ...(spec.groupAdd ? { groupAdd: spec.groupAdd } : {}),
    readOnlyRootfs: spec.readOnlyRootfs,
    shmSizeBytes: spec.shmSizeBytes,
    sysctls: spec.sysctls,
    ...(spec.init ? { initBinary: initBinary(spec.name) } : {}),
  };
}
