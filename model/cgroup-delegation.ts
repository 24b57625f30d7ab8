// Where an ordinary user may make cgroups of their own: a cgroup v2 subtree delegated to them.
// systemd delegates user@UID.service (Delegate=), a login manager without systemd may chown
// any folder with its cgroup.procs and cgroup.subtree_control to the user. The kernel then
// lets the user make groups below it, write their limits, and move a process between two
// groups only when the user may write cgroup.procs of a group above both: so the command that
// starts containers must itself run inside the subtree, or its containers cannot join groups
// there. Read by doctor (what does this user get?) and by rootless mode (which subtree the
// namespaces get as their /sys/fs/cgroup). Pure: the caller hands in how to stat and read.

/** The controllers every container's group gets (cgroups.ts V2_CONTROLLERS). */
export const DELEGATED_CONTROLLERS = ['cpu', 'memory', 'pids'];

export type CgroupDelegation =
  /** `dir` (below /sys/fs/cgroup, starting with /) is the user's, offers every controller, and holds this command. */
  | { state: 'usable'; dir: string }
  | { state: 'missing-controllers'; dir: string; missing: string[] }
  /** Delegated, but this command runs in `own`, outside it. */
  | { state: 'outside'; dir: string; own: string }
  | { state: 'none'; own: string | undefined };

export interface CgroupLook {
  /** Owner of a file or folder below /sys/fs/cgroup, undefined when absent. */
  owner(file: string): number | undefined;
  read(file: string): string | undefined;
}

/** systemd's delegated subtree of a user: their service manager's group. */
export const systemdUserCgroup = (uid: number) => `/user.slice/user-${uid}.slice/user@${uid}.service`;

/** The v2 group of a process from its /proc/PID/cgroup text (`0::/path`), undefined on v1 alone. */
export function unifiedCgroupOf(procCgroup: string): string | undefined {
  return procCgroup
    .split('\n')
    .find((l) => l.startsWith('0::'))
    ?.slice(3)
    .trim();
}

/** The folder, its cgroup.procs and cgroup.subtree_control are the user's: what a delegation is. */
function delegatedTo(look: CgroupLook, uid: number, dir: string): boolean {
  return ['', '/cgroup.procs', '/cgroup.subtree_control'].every((f) => look.owner(`${dir}${f}`) === uid);
}

/**
 * The user's delegated subtree. `own`: the group the command runs in (undefined when doctor
 * runs under sudo for the user: then only systemd's is looked at). The topmost delegated
 * group above `own` wins: everything below a delegation is the user's anyway.
 */
export function findCgroupDelegation(look: CgroupLook, uid: number, own: string | undefined): CgroupDelegation {
  const ancestors: string[] = [];
  if (own !== undefined) {
    const parts = own.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) ancestors.push(`/${parts.slice(0, i).join('/')}`);
  }
  const found = ancestors.find((dir) => delegatedTo(look, uid, dir));
  const systemd = systemdUserCgroup(uid);
  if (found === undefined) {
    if (!delegatedTo(look, uid, systemd)) return { state: 'none', own };
    if (own !== undefined) return { state: 'outside', dir: systemd, own };
  }
  const dir = found ?? systemd;
  const offered = (look.read(`${dir}/cgroup.controllers`) ?? '').split(/\s+/);
  const missing = DELEGATED_CONTROLLERS.filter((c) => !offered.includes(c));
  return missing.length > 0 ? { state: 'missing-controllers', dir, missing } : { state: 'usable', dir };
}
