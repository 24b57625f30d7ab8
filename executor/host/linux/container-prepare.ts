// A container's place on the host before its init stage is spawned: its private directory
// (the overlay's upper, work and rootfs folders, and the /etc files it bind-mounts), its log
// folder, its shared /dev/shm and its cgroups. The first half of Host['containers'].prepare's
// contract; container-runtime.ts spawns into what this made.

import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ContainerSpec } from '../../../model/plan.js';
import { paths } from '../../../store/paths.js';
import { makePrivateDir } from '../../../store/private-files.js';
import { createCgroups } from './cgroups.js';
import { prepareMounts } from './container-mounts.js';
import { hostResolvConf } from './host-resolv-conf.js';
import { extraDeviceRules, hostDevices } from './host-devices.js';
import { initSecurity } from './init-security.js';
import { prepareSharedShm } from './shared-shm.js';
import { checkUpperDirFs } from './upper-dir-fs.js';
import { MissingLayerError } from './container-start-errors.js';

export async function prepareContainer(spec: ContainerSpec): Promise<void> {
  initSecurity(spec); // a host that cannot run it fails here, before anything is made
  const dir = paths.containerDir(spec.project, spec.name);
  for (const layer of spec.image.layers) {
    if (!existsSync(paths.layerDir(layer)))
      throw new MissingLayerError(spec.name, spec.image.ref, layer, paths.layerDir(layer));
  }
  // Overlay's option string separates with ',' and ':'; such a STACK_ROOT cannot be mounted.
  if (/[,:]/.test(dir))
    throw new Error(`container ${spec.name}: ${dir} contains ',' or ':', which overlayfs options cannot hold`);
  // The groups first, before the first await: the containers of one plan start together, and a
  // started one's init stage joins its groups meanwhile. Its first join waits for an RCU grace
  // period (~12 ms on cgroup v1 here) holding the kernel's cgroup_mutex, and a mkdir of
  // another container's group then blocked the supervisor's main thread as long. Made first,
  // every group of the plan exists before its first spawn.
  const devices = hostDevices(spec.resources.devices);
  await createCgroups(spec.project, spec.name, {
    resources: spec.resources,
    privileged: spec.privileged,
    extraDeviceRules: extraDeviceRules(spec.resources, devices),
  });
  // Root-only: the upper dir holds whatever the container wrote, setuid files and device
  // nodes included. The upper dir itself is 0755: its mode is the mode of the container's `/`.
  // Its folders and files with blocking calls: a thread-pool round trip per step of
  // fs/promises cost more than the mkdirs and writes themselves.
  await makePrivateDir(dir);
  await checkUpperDirFs(dir);
  mkdirSync(path.join(dir, 'upper'), { recursive: true, mode: 0o755 });
  await Promise.all(['work', 'rootfs'].map((d) => makePrivateDir(path.join(dir, d))));
  await makePrivateDir(path.dirname(paths.logFile(spec.project, spec.name)));
  const hosts = [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    ...spec.hosts.map((h) => `${h.ip}\t${h.names.join(' ')}`),
  ];
  writeFileSync(path.join(dir, 'hosts'), hosts.join('\n') + '\n');
  writeFileSync(path.join(dir, 'hostname'), hostnameOf(spec) + '\n');
  // The stack's resolver on the gateway (planner/plan/plan-endpoints.ts), or the host's
  // resolvers when the container has none of the stack's (host-resolv-conf.ts).
  const resolv =
    spec.resolvConf.length > 0 ? spec.resolvConf.join('\n') + '\n' : await hostResolvConf(spec.endpoints.length > 0);
  writeFileSync(path.join(dir, 'resolv.conf'), resolv);
  await prepareMounts(spec);
  prepareSharedShm(spec);
}

/** `uts: host` shares the host's hostname, which /etc/hostname and $HOSTNAME then show, as in docker. */
export function hostnameOf(spec: ContainerSpec): string {
  return spec.namespaces?.uts === 'host' ? os.hostname() : spec.hostname;
}
