// The container's process restrictions, applied to a process about to execve inside it:
// capabilities (bounding set first, so execve as root cannot regain more), the user and
// its groups, no_new_privs and seccomp. The exec stage calls this with what the container
// was started with, so an exec'd process can do no more than the container itself.

import { ALL_CAPABILITIES } from '../../../../planner/capabilities.js';
import { capMask, dropBoundingSet } from './caps.js';
import type { Sys } from './sys.js';
import type { ResolvedUser } from './user.js';

export interface ProcessRestrictions {
  /** `CAP_…` names the process keeps when it runs as root. */
  capabilities: string[];
  noNewPrivileges: boolean;
  /** `default`, `unconfined` or a profile path (ContainerSpec.seccomp). */
  seccomp: string;
  user: ResolvedUser;
}

/** ALL_CAPABILITIES is in kernel number order: a name's index is its number. */
export function capabilityNumbers(names: string[]): number[] {
  return names.map((name) => {
    const num = ALL_CAPABILITIES.indexOf(name);
    if (num < 0) throw new Error(`unknown capability ${name}`);
    return num;
  });
}

export function applyProcessRestrictions(sys: Sys, r: ProcessRestrictions): void {
  const keep = capabilityNumbers(r.capabilities);
  dropBoundingSet(sys, keep);
  sys.clearAmbientCaps();
  // As root with every capability still in hand: setuid to non-root then clears the
  // permitted and effective sets by itself, which is what docker gives a non-root user.
  // These exist on POSIX main threads, which is where the stages run.
  process.setgroups!(r.user.groups);
  process.setgid!(r.user.gid);
  process.setuid!(r.user.uid);
  if (r.user.uid === 0) sys.capset(capMask(keep), capMask(keep), 0n);
  if (r.noNewPrivileges) sys.setNoNewPrivs();
  // Seccomp goes last, right before execve, once the container runtime has its filter:
  // the init stage does not load one yet either, so the exec'd process matches the container.
}
