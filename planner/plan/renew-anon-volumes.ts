// `up -V/--renew-anon-volumes`: a container that is recreated gets new anonymous volumes
// instead of the data its predecessor left in them (they are named after the container's
// slot, so a recreate finds them again otherwise). Removed once the old container is gone,
// before the new one starts, which makes them anew.

import type { ContainerSpec, Operation } from '../../model/plan.js';

export function renewAnonymousVolumes(
  project: string,
  spec: ContainerSpec,
  removedId: string,
): Extract<Operation, { kind: 'volume.remove' }>[] {
  return spec.mounts
    .filter((m) => m.type === 'volume' && m.anonymous)
    .map((m) => ({
      kind: 'volume.remove',
      id: `volume-remove:${m.source}`,
      cause: '--renew-anon-volumes',
      after: [removedId],
      project,
      name: m.source,
    }));
}
