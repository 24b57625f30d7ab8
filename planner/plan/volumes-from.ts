// `volumes_from`: the service also mounts the volumes and binds of another service's
// container (its first), at the same targets — named and anonymous volumes alike, so both
// containers see the same data — read-only with `:ro`, as docker does. tmpfs mounts, secrets
// and configs are not shared (docker copies mount points only). A target the service mounts
// itself keeps its own mount. `container:NAME` names a container of this stack (its
// container_name or `<project>-<service>-<n>`); a container of another stack is refused at
// plan time: its mounts are that stack's business.

import type { MountSpec } from '../../model/plan.js';
import type { Service, Stack, VolumesFrom } from '../../model/types.js';
import { containerName } from '../../model/names.js';

/** The service a `volumes_from` entry takes mounts from, or why there is none. */
export function volumesFromSource(stack: Stack, entry: VolumesFrom): Service | { problem: string } {
  if (entry.service !== undefined) {
    const found = stack.services.find((s) => s.name === entry.service);
    return found ?? { problem: `volumes_from names service ${entry.service}, which is not in the stack file` };
  }
  const name = entry.container!;
  const found = stack.services.find(
    (s) =>
      s.containerName === name ||
      Array.from({ length: s.replicas }, (_, i) => containerName(stack.project, s.name, i + 1)).includes(name),
  );
  return (
    found ?? {
      problem: `volumes_from container:${name} names no container of stack ${stack.project}; stack shares volumes within one stack only: declare a named volume (external: true in the other stack's file) and mount it in both`,
    }
  );
}

/**
 * The mounts `entries` add to a container that mounts `own` itself. `mountsOf` gives a
 * service's own mounts (plan-mounts.ts), volumes_from included.
 */
export function volumesFromMounts(
  stack: Stack,
  entries: VolumesFrom[],
  own: MountSpec[],
  mountsOf: (source: Service) => MountSpec[],
): { mounts: MountSpec[]; problems: string[] } {
  const taken = new Set(own.map((m) => m.target));
  const mounts: MountSpec[] = [];
  const problems: string[] = [];
  for (const entry of entries) {
    const source = volumesFromSource(stack, entry);
    if ('problem' in source) {
      problems.push(source.problem);
      continue;
    }
    for (const m of mountsOf(source)) {
      if ((m.type !== 'volume' && m.type !== 'bind') || taken.has(m.target)) continue;
      taken.add(m.target);
      mounts.push(entry.readOnly ? { ...m, readOnly: true } : m);
    }
  }
  return { mounts, problems };
}
