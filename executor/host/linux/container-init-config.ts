// The init stage's configuration for one container (init/config.ts): where its root's layers,
// upper and work folders are, its /etc files, mounts, command, security, devices and cgroup
// view. Pure reading of the spec and the host; the namespaces it joins are added by the
// caller (container-runtime.ts), which holds their fds.

import path from 'node:path';
import type { ContainerSpec } from '../../../model/plan.js';
import { cgroupProcsFiles, cgroupsOutOfReach } from './cgroups.js';
import { containerCgroupView } from './cgroup-view.js';
import { initMounts } from './container-mounts.js';
import { hostnameOf } from './container-prepare.js';
import { hostDevices, initDevices } from './host-devices.js';
import { initSecurity } from './init-security.js';
import type { InitConfig } from './init/config.js';
import { inUserNamespace } from './rootless/user-namespace.js';
import { rootfsLowerDirs } from './rootfs-lowers.js';
import { koffiNativePath } from './stage-files.js';

/** `dir` is the container's directory (paths.containerDir), which prepareContainer made. */
export async function initConfigFor(spec: ContainerSpec, dir: string): Promise<InitConfig> {
  const lowerdirs = await rootfsLowerDirs(spec.image.layers, dir);
  const config: InitConfig = {
    container: spec.name,
    koffiNative: koffiNativePath(),
    cgroupProcs: cgroupProcsFiles(spec.project, spec.name, spec.resources.cgroupParent),
    lowerdirs,
    upperdir: path.join(dir, 'upper'),
    workdir: path.join(dir, 'work'),
    rootfs: path.join(dir, 'rootfs'),
    hostname: hostnameOf(spec),
    ...(spec.domainname !== undefined ? { domainname: spec.domainname } : {}),
    etcFiles: {
      hosts: path.join(dir, 'hosts'),
      hostname: path.join(dir, 'hostname'),
      'resolv.conf': path.join(dir, 'resolv.conf'),
    },
    mounts: await initMounts(spec),
    argv: spec.argv,
    env: spec.env,
    cwd: spec.cwd || '/',
    // The command starts only once its network is wired: veths, or for network_mode none
    // the loopback (launch-container.ts); otherwise it could run with lo still down.
    waitForRelease: spec.endpoints.length > 0 || spec.networkMode === 'none',
    security: initSecurity(spec),
  };
  const devices = initDevices(hostDevices(spec.resources.devices));
  if (devices.length > 0) config.devices = devices;
  if (spec.resources.oomScoreAdj !== undefined) config.oomScoreAdj = spec.resources.oomScoreAdj;
  const view = cgroupsOutOfReach() ? undefined : containerCgroupView(config.mounts, spec.privileged);
  if (view) config.cgroupView = view;
  if (inUserNamespace()) config.inUserNamespace = true;
  return config;
}
