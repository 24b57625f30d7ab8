// An OCI runtime bundle of the bench image for runc and crun: the layer unpacked as a
// read-only rootfs and `runc spec`'s config running /bin/true. Both runtimes make
// /stkbench/oneshot in every cgroup hierarchy (name=systemd included); removeBundleCgroups
// takes those away afterwards.

import fs from 'node:fs';
import path from 'node:path';
import { unpackRootfs } from './images.mjs';
import { quiet, timed } from './run.mjs';

export function oneshotBundle(layout, dir) {
  if (fs.existsSync(path.join(dir, 'config.json'))) return dir;
  unpackRootfs(layout, path.join(dir, 'rootfs'));
  timed('runc', ['spec', '--bundle', dir]);
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
  config.process.args = ['/bin/true'];
  config.process.terminal = false;
  config.root = { path: 'rootfs', readonly: true };
  config.hostname = 'stkbench';
  config.linux.cgroupsPath = '/stkbench/oneshot';
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
  return dir;
}

export function removeBundleCgroups() {
  for (const c of fs.readdirSync('/sys/fs/cgroup'))
    quiet('rmdir', [`/sys/fs/cgroup/${c}/stkbench/oneshot`, `/sys/fs/cgroup/${c}/stkbench`]);
}

/** Timing args for time-runs.mjs: crun refuses hybrid cgroups, so it runs in a private mount namespace without the cgroup2 mount. */
export function crunTimingArgs(timeRuns, runs, bundle) {
  const unified = fs.existsSync('/sys/fs/cgroup/unified/cgroup.controllers')
    ? ['--umount', '/sys/fs/cgroup/unified']
    : [];
  return [
    '-m',
    '--propagation',
    'private',
    process.execPath,
    timeRuns,
    String(runs),
    ...unified,
    '--',
    'crun',
    'run',
    '--bundle',
    bundle,
    '{id}',
  ];
}
