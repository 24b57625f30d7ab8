// Rootless mode without a delegated cgroup subtree gives containers no cgroup of their own
// (executor/host/linux/rootless/no-cgroups.ts), so the keys that are cgroup knobs cannot be
// enforced there. Each gets a located warning instead of being silently dropped; the
// stack still comes up. The caller says whether this is such a host (LoadInput.hostNoCgroups).

import { sortDiagnostics, type Diagnostic } from '../../../model/diagnostics.js';
import { diagAtPath, type SourceSet } from '../source-map.js';
import { obj } from './context.js';

/** Service keys that are written into the container's cgroups. */
const CGROUP_KEYS = [
  'mem_limit',
  'memswap_limit',
  'mem_reservation',
  'mem_swappiness',
  'oom_kill_disable',
  'cpus',
  'cpu_shares',
  'cpu_quota',
  'cpu_period',
  'cpuset',
  'cpu_rt_runtime',
  'cpu_rt_period',
  'pids_limit',
  'blkio_config',
  'cgroup_parent',
  'device_cgroup_rules',
];

export function rootlessLimitNotes(raw: unknown, files: SourceSet, hostNoCgroups?: boolean): Diagnostic[] {
  if (!hostNoCgroups) return [];
  const out: Diagnostic[] = [];
  const note = (name: string, keyPath: string[]) =>
    out.push(
      diagAtPath(
        files,
        ['services', name, ...keyPath],
        `${keyPath.join('.')} of service "${name}" is not enforced: in rootless mode this host gives containers no cgroup of their own (no delegated cgroup v2 subtree; see docs/rootless.md)`,
        'key',
      ),
    );
  for (const [name, value] of Object.entries(obj(obj(raw)?.services) ?? {})) {
    const svc = obj(value);
    for (const key of CGROUP_KEYS) if (svc?.[key] !== undefined) note(name, [key]);
    const resources = obj(obj(svc?.deploy)?.resources);
    for (const part of ['limits', 'reservations'])
      if (resources?.[part] !== undefined) note(name, ['deploy', 'resources', part]);
  }
  return sortDiagnostics(out);
}
