// Builds the container's filesystem view inside its own mount namespace: overlay rootfs,
// /proc, /sys, /dev, the prepared /etc files, then pivot_root. Everything is mounted after
// `/` was made rprivate, so none of it propagates to the host and all of it vanishes with
// the namespace. Paths inside the rootfs are resolved with inRoot(): before pivot_root an
// absolute symlink in an image (`etc -> /`) would otherwise point at the host.

import fs from 'node:fs';
import path from 'node:path';
import { MS, type Sys } from './sys.js';
import type { InitConfig } from './config.js';
import { copyHostDevices, makeDevices, mountInitBinary } from './runtime-mounts.js';
import { mountContainerMounts } from './mounts.js';
import { copyUpVolumes } from './copy-up.js';
import { openRootTargets, type RootTargets } from './mount-target.js';
import { dirIn } from './in-root.js';

type Step = <T>(name: string, fn: () => T) => T;

export function mountRootfs(sys: Sys, cfg: InitConfig, step: Step): void {
  const root = cfg.rootfs;
  step('make / private', () => sys.mount(null, '/', null, MS.REC | MS.PRIVATE));
  step('mount overlay', () => {
    // Overlay options must fit in one page: when all layers share a parent (the layer
    // store), chdir there and name them relatively. Only the init stage changes its cwd.
    const parents = new Set(cfg.lowerdirs.map((d) => path.dirname(d)));
    let lower = cfg.lowerdirs;
    if (parents.size === 1) {
      process.chdir([...parents][0]!);
      lower = cfg.lowerdirs.map((d) => path.basename(d));
    }
    sys.mount(
      'overlay',
      root,
      'overlay',
      0,
      `lowerdir=${lower.join(':')},upperdir=${cfg.upperdir},workdir=${cfg.workdir}${cfg.inUserNamespace ? ',userxattr' : ''}`,
    );
  });
  const targets = openRootTargets(cfg.koffiNative, root);
  try {
    // Before /proc, /sys and every other mount exist under the rootfs (copy-up.ts).
    if (cfg.mounts.some((m) => m.copyUp)) step('copy up volumes', () => copyUpVolumes(targets, cfg.mounts));
    mountSystem(sys, cfg, targets, step);
    // Volumes, binds, tmpfs, secrets and configs in one ordered pass (parents first). A
    // volume may be shared with a running container: targets are opened inside the rootfs
    // and mounts go onto what was opened (mount-target.ts).
    step('mount volumes', () => mountContainerMounts(sys, targets, cfg.mounts, cfg.inUserNamespace));
    if (cfg.security.initBinary) step('mount init', () => mountInitBinary(targets, cfg.security.initBinary!));
  } finally {
    targets.close();
  }
  // uts: host — the namespace is the host's: its name stays.
  if (!cfg.shared?.hostUts) step('sethostname', () => sys.sethostname(cfg.hostname));
  if (!cfg.shared?.hostUts && cfg.domainname !== undefined)
    step('setdomainname', () => sys.setdomainname(cfg.domainname!));
  step('pivot_root', () => {
    // pivot_root(".", ".") stacks the old root on top of the new one; detaching it leaves
    // only the container's tree, with no directory needed for the old root.
    process.chdir(root);
    sys.pivotRoot('.', '.');
    sys.umount2('.');
    process.chdir('/');
  });
}

/** /proc, /sys, /dev (with the host's devices when privileged) and the prepared /etc files. */
function mountSystem(sys: Sys, cfg: InitConfig, targets: RootTargets, step: Step): void {
  const root = cfg.rootfs;
  step('mount proc', () => sys.mount('proc', dirIn(root, 'proc'), 'proc', MS.NOSUID | MS.NOEXEC | MS.NODEV));
  const sec = cfg.security;
  const sysRo = sec.privileged ? 0 : MS.RDONLY;
  step('mount sysfs', () => sys.mount('sysfs', dirIn(root, 'sys'), 'sysfs', sysRo | MS.NOSUID | MS.NOEXEC | MS.NODEV));
  step('mount /dev', () => mountDev(sys, dirIn(root, 'dev'), cfg));
  if (sec.privileged) step('copy host devices', () => copyHostDevices(sys, path.join(root, 'dev')));
  if (cfg.devices?.length) step('make devices', () => makeDevices(sys, path.join(root, 'dev'), cfg.devices!));
  step('mount /etc files', () => {
    for (const [name, src] of Object.entries(cfg.etcFiles))
      targets.bindAt(targets.file(`etc/${name}`), src, 0, 0, `etc/${name}`);
  });
}

/** The character devices every container's /dev gets: name, major, minor. */
export const DEV_NODES: [string, number, number][] = [
  ['null', 1, 3],
  ['zero', 1, 5],
  ['full', 1, 7],
  ['random', 1, 8],
  ['urandom', 1, 9],
  ['tty', 5, 0],
];

function mountDev(sys: Sys, dev: string, cfg: InitConfig): void {
  const shm = cfg.shared?.shm;
  const shmSizeBytes = cfg.security.shmSizeBytes;
  sys.mount('tmpfs', dev, 'tmpfs', MS.NOSUID | MS.STRICTATIME, 'mode=755,size=65536k');
  for (const [name, major, minor] of DEV_NODES) {
    const p = path.join(dev, name);
    if (cfg.inUserNamespace) {
      // In a user namespace (rootless) mknod of a device is refused: bind the host's node,
      // which keeps its own owner and mode, so the container gets no more than the user has.
      fs.closeSync(fs.openSync(p, 'wx', 0o666));
      sys.mount(`/dev/${name}`, p, null, MS.BIND);
      continue;
    }
    sys.mkchar(p, major, minor);
    fs.chmodSync(p, 0o666); // mknod's mode passes through the umask
  }
  fs.mkdirSync(path.join(dev, 'pts'));
  sys.mount(
    'devpts',
    path.join(dev, 'pts'),
    'devpts',
    MS.NOSUID | MS.NOEXEC,
    'newinstance,ptmxmode=0666,mode=620,gid=5',
  );
  fs.symlinkSync('pts/ptmx', path.join(dev, 'ptmx'));
  fs.mkdirSync(path.join(dev, 'shm'));
  // A shared ipc namespace shares its /dev/shm (init/config.ts SharedNamespaces); ipc: none has none.
  if (typeof shm === 'string') sys.mount(shm, path.join(dev, 'shm'), null, MS.BIND);
  else if (shm === undefined)
    sys.mount(
      'shm',
      path.join(dev, 'shm'),
      'tmpfs',
      MS.NOSUID | MS.NOEXEC | MS.NODEV,
      `mode=1777,size=${shmSizeBytes}`,
    );
  fs.symlinkSync('/proc/self/fd', path.join(dev, 'fd'));
  ['stdin', 'stdout', 'stderr'].forEach((name, fd) => fs.symlinkSync(`/proc/self/fd/${fd}`, path.join(dev, name)));
}

// Docker's lists: files hidden behind /dev/null, directories behind an empty read-only
// tmpfs, and kernel knobs kept visible but read-only.
export const MASKED = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];
export const READONLY = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/** After the network is wired and sysctls are written: nothing in the container runs yet. */
export function maskPaths(sys: Sys): void {
  for (const p of MASKED) {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      continue;
    }
    if (st.isDirectory()) sys.mount('tmpfs', p, 'tmpfs', MS.RDONLY, 'size=0');
    else sys.mount('/dev/null', p, null, MS.BIND);
  }
  const keep = MS.NOSUID | MS.NODEV | MS.NOEXEC;
  for (const p of READONLY) {
    if (!fs.existsSync(p)) continue;
    sys.mount(p, p, null, MS.BIND | MS.REC);
    sys.mount(null, p, null, MS.BIND | MS.REMOUNT | MS.RDONLY | keep);
  }
}
