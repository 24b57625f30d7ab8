// `stack create` (docker compose create): a container made and not started. Its record
// comes first, marked stopped with status `created`, so a kill -9 at any point leaves what
// `up` starts (the record says it was stopped on purpose: planner/plan/start-cause.ts
// resumes it, and the start prepares again, which is idempotent) and what `down` removes by
// its record. Then what a container has before its process: its folder with the overlay's
// upper and work folders, /etc/hosts, hostname, resolv.conf and its cgroup (the Host's
// prepare). The overlay itself is mounted in the container's own mount namespace, which
// exists only with its process; its veths likewise. Its addresses are in its record, so
// no other container takes them meanwhile.

import type { ContainerSpec } from '../model/plan.js';
import type { Host } from './host.js';
import type { ContainerHooks } from './container-hooks.js';

export async function createContainer(spec: ContainerSpec, host: Host, hooks: ContainerHooks): Promise<void> {
  await host.state.saveContainer(spec.project, { spec, status: 'created', stopped: true });
  await host.containers.prepare(spec);
  await hooks.created?.(spec);
}
