// The host device nodes a container's `devices:` and `blkio_config` name, looked up once:
// their type and numbers (for the device cgroup, io throttling and the node the init stage
// makes inside the container) and their mode and owner (docker copies both). A path that is
// missing or no device node is the user's error, named with the key it came from.

import fs from 'node:fs';
import path from 'node:path';
import type { DeviceMapping, Resources } from '../../../model/types.js';
import type { InitDevice } from './init/config.js';

export interface HostDevice {
  /** Where the node is made inside the container. */
  target: string;
  type: 'b' | 'c';
  major: number;
  minor: number;
  /** Permission bits of the host's node. */
  mode: number;
  uid: number;
  gid: number;
  /** What the container may do with it (of rwm). */
  permissions: string;
}

export class HostDeviceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HostDeviceError';
  }
}

/** major(3)/minor(3) of a dev_t as Node gives it (a number: the glibc encoding). */
const major = (dev: number) => Number((BigInt(dev) >> 8n) & 0xfffn) | Number((BigInt(dev) >> 32n) & ~0xfffn);
const minor = (dev: number) => Number(BigInt(dev) & 0xffn) | Number((BigInt(dev) >> 12n) & ~0xffn);

/** The node at `path` (symlinks followed, as docker does); `key` names where the file gave it. */
export function statDevice(
  path: string,
  key: string,
): { type: 'b' | 'c'; major: number; minor: number; stat: fs.Stats } {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new HostDeviceError(
      `${key}: ${path} ${code === 'ENOENT' ? 'does not exist on this host' : `cannot be read (${code})`}`,
    );
  }
  if (!stat.isBlockDevice() && !stat.isCharacterDevice())
    throw new HostDeviceError(`${key}: ${path} is not a device node on this host`);
  return { type: stat.isBlockDevice() ? 'b' : 'c', major: major(stat.rdev), minor: minor(stat.rdev), stat };
}

/** `devices:` of a container, each looked up on the host. */
export function hostDevices(devices: DeviceMapping[] = []): HostDevice[] {
  return devices.map((d) => {
    const { type, major, minor, stat } = statDevice(d.source, 'devices');
    return {
      target: d.target,
      type,
      major,
      minor,
      mode: stat.mode & 0o7777,
      uid: stat.uid,
      gid: stat.gid,
      permissions: d.permissions,
    };
  });
}

/** What the init stage makes under the container's /dev (the loader keeps targets there). */
export function initDevices(devices: HostDevice[]): InitDevice[] {
  return devices.map((d) => ({
    path: path.posix.normalize(d.target).slice('/dev/'.length),
    mode: (d.type === 'b' ? fs.constants.S_IFBLK : fs.constants.S_IFCHR) | d.mode,
    major: d.major,
    minor: d.minor,
    uid: d.uid,
    gid: d.gid,
  }));
}

/** The device cgroup rules a container gets beyond the default list: its devices, then device_cgroup_rules. */
export function extraDeviceRules(r: Resources, devices: HostDevice[]): string[] {
  return [...devices.map((d) => `${d.type} ${d.major}:${d.minor} ${d.permissions}`), ...(r.deviceCgroupRules ?? [])];
}
