// The container's process restrictions, applied to a process about to execve inside it —
// by the init stage for the container's command and by the exec stage for `stack exec`,
// so an exec'd process can do no more than the container itself. The order is the only one
// that works: limits (raising one may need CAP_SYS_RESOURCE), no_new_privs, the seccomp
// filter (without no_new_privs the kernel wants CAP_SYS_ADMIN for it, still held here), the
// bounding set (needs CAP_SETPCAP), the user (needs CAP_SETUID/SETGID), and last the
// capabilities a root process keeps. The filter denies none of the calls after it.

import { capMask, dropBoundingSet, keptCapabilities } from './caps.js';
import { applyUlimits } from './limits.js';
import { buildFilter } from './seccomp.js';
import type { Sys } from './sys.js';
import type { ResolvedUser } from './user.js';

export interface ProcessRestrictions {
  /** `CAP_…` names the process keeps when it runs as root. */
  capabilities: string[];
  noNewPrivileges: boolean;
  /** `default` (the built-in filter) or `unconfined` (also for privileged containers). */
  seccomp: 'default' | 'unconfined';
  /** setrlimit before execve: name (`nofile`, `nproc`, …) → limits. */
  ulimits: Record<string, { soft: number; hard: number }>;
  user: ResolvedUser;
}

type Step = <T>(name: string, fn: () => T) => T;
const direct: Step = (_name, fn) => fn();

export function applyProcessRestrictions(sys: Sys, r: ProcessRestrictions, step: Step = direct): void {
  step('ulimits', () => applyUlimits(sys, r.ulimits));
  if (r.noNewPrivileges) step('no_new_privs', () => sys.setNoNewPrivs());
  if (r.seccomp === 'default') step('seccomp', () => sys.seccompFilter(buildFilter(r.capabilities)));
  const keep = keptCapabilities(r.capabilities);
  step('drop capabilities', () => dropBoundingSet(sys, keep));
  // As root with every capability still in hand: setuid to non-root then clears the
  // permitted and effective sets by itself, which is what docker gives a non-root user.
  // glibc applies these to every thread of the process.
  step('set user', () => {
    process.setgroups!(r.user.groups);
    process.setgid!(r.user.gid);
    process.setuid!(r.user.uid);
  });
  if (r.user.uid === 0) step('set capabilities', () => sys.capset(capMask(keep), capMask(keep), 0n));
}
