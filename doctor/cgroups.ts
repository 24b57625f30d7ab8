// cgroups: which hierarchy the host runs (v2 unified, v1, or v1 with a cgroup2 mount beside
// it: "hybrid", which stack treats as v1), whether the controllers stack sets limits with
// are there, and whether stack's parent group (`stack/`) can be made in each tree.

import type { DoctorProbe } from '../executor/host/linux/doctor-probe.js';
import { V1_CONTROLLERS } from '../executor/host/linux/cgroups.js';
import { rootOnly } from './root.js';
import { fail, ok, type Check } from './verdict.js';

const ROOT = '/sys/fs/cgroup';
const V2_NEEDED = ['memory', 'pids', 'cpu'];

type Hierarchy = 'v2' | 'hybrid' | 'v1' | 'none';

function hierarchy(probe: DoctorProbe): Hierarchy {
  if (probe.exists(`${ROOT}/cgroup.controllers`)) return 'v2';
  const types = (probe.read('/proc/self/mountinfo') ?? '').split('\n').map((l) => l.split(' - ')[1]?.split(' ')[0]);
  if (!types.includes('cgroup')) return 'none';
  return types.includes('cgroup2') ? 'hybrid' : 'v1';
}

/** The controllers stack needs that this host does not offer where stack looks for them. */
function missingControllers(probe: DoctorProbe, h: Hierarchy): string[] {
  if (h === 'v2') {
    const have = (probe.read(`${ROOT}/cgroup.controllers`) ?? '').split(/\s+/);
    return V2_NEEDED.filter((c) => !have.includes(c));
  }
  return V1_CONTROLLERS.filter((c) => !probe.exists(`${ROOT}/${c}/cgroup.procs`));
}

export const cgroupsCheck: Check = {
  name: 'cgroups',
  run(probe) {
    const h = hierarchy(probe);
    if (h === 'none')
      return fail('cgroups', `no cgroup hierarchy is mounted at ${ROOT}`, `mount one: mount -t cgroup2 none ${ROOT}`);
    const missing = missingControllers(probe, h);
    const name =
      h === 'v2'
        ? 'v2 (unified)'
        : h === 'hybrid'
          ? 'v1 controllers with a cgroup2 mount beside them (hybrid; stack uses v1)'
          : 'v1';
    if (missing.length > 0) {
      const fix =
        h === 'v2'
          ? `boot with the controllers enabled (kernel command line: cgroup_enable=${missing.join(',')}; without cgroup_disable=…)`
          : `mount them: ${missing.map((c) => `mkdir -p ${ROOT}/${c} && mount -t cgroup -o ${c} cgroup ${ROOT}/${c}`).join('; ')}`;
      return fail(
        'cgroups',
        `${name}; missing controllers: ${missing.join(', ')} (memory, cpu and pids limits are set there)`,
        fix,
      );
    }
    return ok('cgroups', `${name}; ${(h === 'v2' ? V2_NEEDED : V1_CONTROLLERS).join(', ')} available`);
  },
};

/**
 * v2 inside a container (a cgroup namespace rooted at a non-root group, which has a
 * cgroup.type file): the controllers stack needs that cannot be enabled for its children,
 * because the group holds processes of its own (the "no internal processes" rule).
 */
function undelegatable(probe: DoctorProbe): string[] {
  if (!probe.exists(`${ROOT}/cgroup.type`) || (probe.read(`${ROOT}/cgroup.procs`) ?? '').trim() === '') return [];
  const delegated = (probe.read(`${ROOT}/cgroup.subtree_control`) ?? '').split(/\s+/);
  return V2_NEEDED.filter((c) => !delegated.includes(c));
}

export const cgroupParentCheck: Check = {
  name: 'cgroup-parent',
  run(probe) {
    const skipped = rootOnly(probe, 'cgroup-parent', 'making a cgroup');
    if (skipped) return skipped;
    const h = hierarchy(probe);
    const dirs =
      h === 'v2'
        ? [`${ROOT}/stack`]
        : V1_CONTROLLERS.filter((c) => probe.exists(`${ROOT}/${c}`)).map((c) => `${ROOT}/${c}/stack`);
    if (dirs.length === 0)
      return fail('cgroup-parent', "no cgroup tree to make stack's groups in", 'see the cgroups check');
    const refused = dirs
      .map((d) => [d, probe.canCreateDir(d)] as const)
      .filter(([, r]) => r !== 'exists' && r !== 'created');
    if (refused.length > 0) {
      return fail(
        'cgroup-parent',
        `cannot make ${refused.map(([d, r]) => `${d} (${r})`).join(', ')}`,
        'run stack on the host as root with /sys/fs/cgroup writable (in a container: its own writable cgroup namespace, e.g. docker run --privileged --cgroupns=private)',
      );
    }
    const undelegated = h === 'v2' ? undelegatable(probe) : [];
    if (undelegated.length > 0) {
      return fail(
        'cgroup-parent',
        `${ROOT} is a cgroup that holds processes itself and does not hand ${undelegated.join(', ')} to its children: cgroup v2 allows no controllers below a group with processes in it, so stack's groups would get no limits`,
        `move those processes into a child group first, as docker-in-docker entrypoints do: mkdir ${ROOT}/init && for p in $(cat ${ROOT}/cgroup.procs); do echo $p > ${ROOT}/init/cgroup.procs; done`,
      );
    }
    return ok(
      'cgroup-parent',
      dirs.length === 1 ? `${dirs[0]} can be made` : `${ROOT}/{${V1_CONTROLLERS.join(',')}}/stack can be made`,
    );
  },
};

/**
 * Realtime group scheduling: cgroup v1's cpu controller with cpu.rt_runtime_us (a kernel
 * with CONFIG_RT_GROUP_SCHED). Only cpu_rt_runtime/cpu_rt_period need it, and the loader
 * refuses them at their line where it is missing: a line that says which, never a gap.
 */
export const cgroupRealtimeCheck: Check = {
  name: 'cgroup-realtime',
  run(probe) {
    const keys = 'cpu_rt_runtime and cpu_rt_period';
    if (hierarchy(probe) === 'v2')
      return ok('cgroup-realtime', `cgroup v2 has no realtime budget per group: ${keys} are refused at their line`);
    if (!probe.exists(`${ROOT}/cpu/cpu.rt_runtime_us`))
      return ok(
        'cgroup-realtime',
        `this kernel has no realtime group scheduling (CONFIG_RT_GROUP_SCHED): ${keys} are refused at their line`,
      );
    return ok('cgroup-realtime', `cpu.rt_runtime_us is there: ${keys} work`);
  },
};
