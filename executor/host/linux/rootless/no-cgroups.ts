// Rootless without a delegated cgroup subtree: an ordinary user may not make groups in the
// host's trees (cgroup v1 here; v2 without a subtree delegated to the user that the command
// runs in: model/cgroup-delegation.ts), so containers get none. With one, the namespaces see
// it as their /sys/fs/cgroup (namespace-holder.ts) and cgroups.ts's v2 tree is used instead.
// This tree has the shape of cgroups.ts's but makes nothing, lists nothing and joins
// nothing: a container's processes stay in the user's own group. Its limits are not a
// silent no-op: the CLI warns about every key this leaves unset (rootless/limit-warnings.ts).
// Stop and down do not need the groups: killing PID 1 ends the container's pid namespace.

import type { CgroupVersion } from '../cgroup-limits.js';
import type { CgroupTree } from '../cgroups.js';

export class NoCgroupError extends Error {
  constructor(what: string) {
    super(
      `rootless: ${what} needs a cgroup of the container's own, which an ordinary user does not get on this host (no delegated cgroup v2 subtree)`,
    );
    this.name = 'NoCgroupError';
  }
}

export function noCgroupTree(version: CgroupVersion): CgroupTree {
  return {
    version,
    dirs: () => [],
    groupOf: () => {
      throw new NoCgroupError('reading its cgroup');
    },
    procsFiles: () => [],
    makeIn: async () => {
      throw new NoCgroupError('pause');
    },
    removeAboveIn: async () => {},
    create: async () => [],
    pids: async () => [],
    kill: async () => {},
    names: async () => [],
    oomKills: () => 0,
    remove: async () => {},
  };
}
