// `network_mode`: `host` (the host's network), `none` (a namespace with only lo),
// `service:NAME` (the namespace of that service's first container), `container:NAME`, or
// `bridge`/unset (own namespace on the service's networks).

import { containerName } from '../../model/names.js';
import type { NamespaceModes } from '../../model/types.js';

/** Whether the service gets its own namespace on its networks (`bridge` or no mode). */
export function ownsNetworks(mode: string | undefined): boolean {
  return mode === undefined || mode === 'bridge' || mode === 'default';
}

/** ContainerSpec.networkMode for a service's `network_mode`: `service:NAME` becomes `container:<project>-NAME-1`. */
export function containerNetworkMode(project: string, mode: string | undefined): string | undefined {
  if (ownsNetworks(mode)) return undefined;
  return mode?.startsWith('service:') ? `container:${containerName(project, mode.slice('service:'.length))}` : mode;
}

/**
 * ContainerSpec.namespaces: `service:NAME` modes become `container:<project>-NAME-1`, as for
 * network_mode; `ipc: private` and `cgroup: private`, the defaults, are left out (writing
 * them recreates nothing).
 */
export function containerNamespaces(project: string, modes: NamespaceModes | undefined): NamespaceModes | undefined {
  if (!modes) return undefined;
  const join = (mode: string | undefined) =>
    mode?.startsWith('service:') ? `container:${containerName(project, mode.slice('service:'.length))}` : mode;
  const out: NamespaceModes = { ...modes };
  if (modes.pid !== undefined) out.pid = join(modes.pid);
  if (modes.ipc !== undefined) out.ipc = join(modes.ipc);
  if (out.ipc === 'private') delete out.ipc;
  if (out.cgroup === 'private') delete out.cgroup;
  return Object.keys(out).length > 0 ? out : undefined;
}
