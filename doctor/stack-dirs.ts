// STACK_ROOT (images, volumes, upper dirs, records) and STACK_RUN (sockets, locks): where they
// are and what their filesystems allow. overlayfs refuses an upper dir that is on overlay
// itself (STACK_ROOT inside a container or a live system's root), so STACK_ROOT gets a real
// trial mount when it exists; tmpfs works but forgets everything at reboot.

import type { DoctorProbe, FilesystemInfo } from '../executor/host/linux/doctor-probe.js';
import { stackRoot, stackRun } from '../store/paths.js';
import { byteLength, MAX_NAME_LENGTH, MAX_SOCKET_PATH_BYTES, socketPath } from '../model/name-limits.js';
import { fail, ok, warn, type Check, type CheckResult } from './verdict.js';

const GiB = 1024 ** 3;
/** Below these a few images (many small files each) fill STACK_ROOT. */
export const MIN_FREE_BYTES = 1 * GiB;
export const MIN_FREE_INODES = 50_000;

const MOVE =
  'point STACK_ROOT at a folder on another filesystem (ext4, xfs, btrfs; or a tmpfs: mount -t tmpfs tmpfs DIR)';

function size(bytes: number): string {
  return bytes >= GiB ? `${(bytes / GiB).toFixed(1)} GiB` : `${Math.floor(bytes / 1024 ** 2)} MiB`;
}

function roomProblems(fs: FilesystemInfo): { detail: string; fix: string }[] {
  const problems: { detail: string; fix: string }[] = [];
  if (fs.type === 'tmpfs' || fs.type === 'ramfs') {
    problems.push({
      detail: `on ${fs.type}: images, volumes and state records are gone after a reboot`,
      fix: 'a folder on disk for STACK_ROOT if they should last',
    });
  }
  if (fs.freeBytes < MIN_FREE_BYTES)
    problems.push({
      detail: `only ${size(fs.freeBytes)} free`,
      fix: `free space on ${fs.path}'s filesystem, or move STACK_ROOT`,
    });
  if (fs.totalInodes > 0 && fs.freeInodes < MIN_FREE_INODES) {
    problems.push({
      detail: `only ${fs.freeInodes} inodes free (image layers are many small files)`,
      fix: `free inodes on ${fs.path}'s filesystem, or move STACK_ROOT`,
    });
  }
  return problems;
}

export const stackRootCheck: Check = {
  name: 'stack-root',
  run(probe): CheckResult {
    const dir = stackRoot({ STACK_ROOT: probe.env('STACK_ROOT') });
    const fs = probe.filesystem(dir);
    if (!fs)
      return warn(
        'stack-root',
        `cannot look at ${dir}'s filesystem`,
        'check that STACK_ROOT names a folder that can exist',
      );
    const at = fs.path === dir ? dir : `${dir} (not made yet; ${fs.path})`;
    if (fs.type === 'overlay') {
      return fail(
        'stack-root',
        `${at} is on overlayfs: overlayfs refuses an upper dir on overlay, so no container can start`,
        MOVE,
      );
    }
    if (fs.path === dir && probe.euid() === 0) {
      const trial = probe.overlayTrial(dir);
      if ('mounted' in trial && !trial.mounted)
        return fail(
          'stack-root',
          `${dir} is on ${fs.type}, where a test overlay with its upper dir fails: ${trial.error}`,
          MOVE,
        );
    }
    const problems = roomProblems(fs);
    if (problems.length > 0)
      return warn(
        'stack-root',
        `${at} ${problems.map((p) => p.detail).join('; ')}`,
        problems.map((p) => p.fix).join('; '),
      );
    const inodes = fs.totalInodes > 0 ? ` and ${fs.freeInodes} inodes` : '';
    return ok('stack-root', `${at} on ${fs.type}, ${size(fs.freeBytes)}${inodes} free`);
  },
};

export const stackRunCheck: Check = {
  name: 'stack-run',
  run(probe): CheckResult {
    const dir = stackRun({ STACK_RUN: probe.env('STACK_RUN') });
    const fs = probe.filesystem(dir);
    // A project's supervisor socket must fit a unix socket path.
    const room = MAX_SOCKET_PATH_BYTES - byteLength(socketPath(dir, ''));
    if (room < 1)
      return fail(
        'stack-run',
        `${dir} is too long: no project's supervisor socket fits the ${MAX_SOCKET_PATH_BYTES} bytes of a unix socket path`,
        'a shorter STACK_RUN (default /run/stack)',
      );
    const type = fs ? ` on ${fs.type}` : '';
    if (room < MAX_NAME_LENGTH) {
      return warn(
        'stack-run',
        `${dir}${type} leaves room for project names of ${room} bytes only (their supervisor socket must fit ${MAX_SOCKET_PATH_BYTES} bytes)`,
        'a shorter STACK_RUN (default /run/stack)',
      );
    }
    return ok('stack-run', `${dir}${type} (sockets and locks)`);
  },
};
