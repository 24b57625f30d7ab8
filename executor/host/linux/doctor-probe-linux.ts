// The real host behind `stack doctor`'s DoctorProbe: /proc, /sys, statfs, the kernel's
// config and module lists, libnftables, and a throwaway overlay mount in a mount namespace
// of its own (so a killed doctor leaves no mount behind).

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { DoctorProbe, FilesystemInfo, ModuleState, OverlayTrial } from './doctor-probe.js';
import { hostBaseChains } from './doctor-base-chains.js';
import { nftRun } from './libnftables.js';
import { nativeInitPath } from './native-init.js';
import { which } from './which.js';

/** statfs f_type values (linux/magic.h) of the filesystems worth naming. */
const FS_TYPES: Record<number, string> = {
  0x794c7630: 'overlay',
  0x01021994: 'tmpfs',
  0x858458f6: 'ramfs',
  0xef53: 'ext4',
  0x58465342: 'xfs',
  0x9123683e: 'btrfs',
  0x2fc12fc1: 'zfs',
  0x6969: 'nfs',
  0xff534d42: 'cifs',
  0x01021997: '9p',
  0x65735546: 'fuse',
  0xf2f52010: 'f2fs',
  0x73717368: 'squashfs',
  0xe0f5e1e2: 'erofs',
};

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

function kernelConfigText(release: string): string | undefined {
  try {
    return gunzipSync(fs.readFileSync('/proc/config.gz')).toString('utf8');
  } catch {
    return readText(`/boot/config-${release}`);
  }
}

function parseKernelConfig(text: string): Map<string, string> {
  const options = new Map<string, string>();
  for (const line of text.split('\n')) {
    const set = /^(CONFIG_\w+)=(.*)$/.exec(line);
    if (set) options.set(set[1]!, set[2]!);
    const unset = /^# (CONFIG_\w+) is not set$/.exec(line);
    if (unset) options.set(unset[1]!, '');
  }
  return options;
}

function moduleState(name: string, release: string): ModuleState {
  const sysName = name.replaceAll('-', '_');
  if (fs.existsSync(`/sys/module/${sysName}`))
    return fs.existsSync(`/sys/module/${sysName}/initstate`) ? 'loaded' : 'built-in';
  const dir = `/lib/modules/${release}`;
  const file = new RegExp(`/${sysName.replaceAll('_', '[-_]')}\\.ko(\\.[a-z]+)?(:|$)`, 'm');
  if (file.test(readText(path.join(dir, 'modules.builtin')) ?? '')) return 'built-in';
  const dep = readText(path.join(dir, 'modules.dep'));
  if (dep === undefined) return 'unknown';
  return file.test(dep) ? 'loadable' : 'absent';
}

/** Reads the ELF program headers: a PT_INTERP one means the file needs a dynamic loader. */
function isStaticElf(file: string): boolean | undefined {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return undefined;
  }
  try {
    const head = Buffer.alloc(64);
    fs.readSync(fd, head, 0, 64, 0);
    if (head.readUInt32BE(0) !== 0x7f454c46) return undefined;
    const is64 = head[4] === 2;
    const phoff = is64 ? Number(head.readBigUInt64LE(32)) : head.readUInt32LE(28);
    const phentsize = head.readUInt16LE(is64 ? 54 : 42);
    const phnum = head.readUInt16LE(is64 ? 56 : 44);
    const table = Buffer.alloc(phentsize * phnum);
    fs.readSync(fd, table, 0, table.length, phoff);
    const PT_INTERP = 3;
    for (let i = 0; i < phnum; i++) if (table.readUInt32LE(i * phentsize) === PT_INTERP) return false;
    return true;
  } finally {
    fs.closeSync(fd);
  }
}

function filesystem(dir: string): FilesystemInfo | undefined {
  let at = path.resolve(dir);
  while (!fs.existsSync(at) && at !== '/') at = path.dirname(at);
  try {
    const s = fs.statfsSync(at);
    return {
      path: at,
      type: FS_TYPES[s.type] ?? `0x${s.type.toString(16)}`,
      freeBytes: s.bavail * s.bsize,
      totalInodes: s.files,
      freeInodes: s.ffree,
    };
  } catch {
    return undefined;
  }
}

function canCreateDir(dir: string): string {
  if (fs.existsSync(dir)) return 'exists';
  try {
    fs.mkdirSync(dir);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? String(err);
  }
  // A group another stack put under it meanwhile keeps it (ENOTEMPTY/EBUSY): it is in use then.
  try {
    fs.rmdirSync(dir);
  } catch {
    /* in use by now */
  }
  return 'created';
}

function overlayTrial(dir: string): OverlayTrial {
  if (!fs.existsSync(dir)) return { untested: `${dir} does not exist yet` };
  let base: string;
  try {
    base = fs.mkdtempSync(path.join(dir, '.stk-doctor-'));
  } catch (err) {
    return { untested: `cannot write in ${dir}: ${(err as NodeJS.ErrnoException).code}` };
  }
  try {
    const [lower, upper, work, merged] = ['lower', 'upper', 'work', 'merged'].map((d) => path.join(base, d));
    for (const d of [lower!, upper!, work!, merged!]) fs.mkdirSync(d);
    // The mount lives and dies with unshare's own mount namespace: nothing to unmount.
    const r = spawnSync(
      'unshare',
      [
        '--mount',
        '--propagation',
        'private',
        'mount',
        '-t',
        'overlay',
        'stk-doctor',
        '-o',
        `lowerdir=${lower},upperdir=${upper},workdir=${work}`,
        merged!,
      ],
      { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } },
    );
    if (r.error) return { untested: `unshare: ${(r.error as NodeJS.ErrnoException).code}` };
    return r.status === 0
      ? { mounted: true }
      : { mounted: false, error: r.stderr.trim() || `mount exited with ${r.status}` };
  } finally {
    fs.rmSync(base, { recursive: true, force: true });
  }
}

export function linuxDoctorProbe(): DoctorProbe {
  const release = os.release();
  let config: Map<string, string> | null | undefined;
  return {
    euid: () => process.geteuid?.() ?? -1,
    kernelRelease: () => release,
    read: readText,
    exists: (file) => fs.existsSync(file),
    stat(file) {
      try {
        const s = fs.lstatSync(file);
        return { uid: s.uid, mode: s.mode & 0o7777, isDirectory: s.isDirectory() };
      } catch {
        return undefined;
      }
    },
    writable(file) {
      try {
        fs.accessSync(file, fs.constants.W_OK);
        return true;
      } catch {
        return false;
      }
    },
    kernelConfig(option) {
      if (config === undefined) {
        const text = kernelConfigText(release);
        config = text === undefined ? null : parseKernelConfig(text);
      }
      return config === null ? undefined : (config.get(option) ?? '');
    },
    module: (name) => moduleState(name, release),
    which,
    run(command, args) {
      const r = spawnSync(command, args, { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
      return r.error ? undefined : { status: r.status, stdout: r.stdout, stderr: r.stderr };
    },
    async libnftablesError() {
      try {
        await nftRun('list tables');
        return undefined;
      } catch (err) {
        return (err as Error).message;
      }
    },
    baseChains: hostBaseChains,
    isStaticElf,
    filesystem,
    canCreateDir,
    overlayTrial,
    env: (name) => process.env[name],
    nativeStage: nativeInitPath,
  };
}
