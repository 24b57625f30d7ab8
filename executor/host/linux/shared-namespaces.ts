// The namespaces a container shares instead of owning (ContainerSpec.networkMode and
// .namespaces): what the namespace window must keep (the host's) or join (fds of another
// container's, found through its state record), and what the init stage must leave alone
// (the host's hostname, the host's cgroup namespace) or bind (a shared /dev/shm: with
// SysV IPC, POSIX shared memory lives there, so sharing the ipc namespace shares it too,
// as docker does; shared-shm.ts).

import fs from 'node:fs';
import type { ContainerSpec } from '../../../model/plan.js';
import type { Host } from '../../host.js';
import type { SharedNamespaces } from './init/config.js';
import type { NamespaceChoices } from './namespace-window.js';
import { joinedContainer, netnsFor, openNamespaceOf } from './network-mode.js';
import { isMountPoint, sharedShmDir } from './shared-shm.js';

export interface SpawnNamespaces {
  choices: NamespaceChoices;
  /** Fds of joined namespaces: the caller closes them after the spawn. */
  fds: number[];
  shared?: SharedNamespaces;
}

export async function namespacesFor(spec: ContainerSpec, state: Host['state']): Promise<SpawnNamespaces> {
  const modes = spec.namespaces ?? {};
  const out: SpawnNamespaces = { choices: {}, fds: [] };
  const shared: SharedNamespaces = {};
  try {
    out.choices.net = await netnsFor(spec, state);
    if (typeof out.choices.net === 'object') out.fds.push(out.choices.net.join);
    for (const kind of ['pid', 'ipc'] as const) {
      const mode = modes[kind];
      if (mode === 'host') out.choices[kind] = 'host';
      const target = joinedContainer(mode);
      if (target === undefined) continue;
      const { fd, name } = await openNamespaceOf(spec, state, target, kind, kind);
      out.fds.push(fd);
      out.choices[kind] = { join: fd };
      if (kind === 'ipc') shared.shm = joinedShm(spec, name);
    }
  } catch (err) {
    for (const fd of out.fds) fs.closeSync(fd);
    throw err;
  }
  if (modes.ipc === 'host') shared.shm = '/dev/shm';
  if (modes.ipc === 'shareable') shared.shm = sharedShmDir(spec.project, spec.name);
  if (modes.ipc === 'none') shared.shm = false;
  if (modes.uts === 'host') {
    out.choices.uts = 'host';
    shared.hostUts = true;
  }
  if (modes.cgroup === 'host') shared.hostCgroupns = true;
  if (Object.keys(shared).length > 0) out.shared = shared;
  return out;
}

/** The shareable /dev/shm of container `owner`, whose ipc namespace `spec` joins. */
function joinedShm(spec: ContainerSpec, owner: string): string {
  const dir = sharedShmDir(spec.project, owner);
  if (!isMountPoint(dir))
    throw new Error(
      `container ${spec.name}: ipc: container ${owner} is not shareable (docker refuses this too); set ipc: shareable on its service`,
    );
  return dir;
}
