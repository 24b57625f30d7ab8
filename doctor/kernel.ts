// The kernel's version and the memfd setting the native init stage depends on.

import { fail, ok, type Check } from './verdict.js';

/** The init stages mount by fd (open_tree, move_mount, mount_setattr): Linux 5.12 has them all. */
export const MIN_KERNEL: [number, number] = [5, 12];

export function kernelVersion(release: string): [number, number] | undefined {
  const m = /^(\d+)\.(\d+)/.exec(release);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

export const kernelCheck: Check = {
  name: 'kernel',
  run(probe) {
    const release = probe.kernelRelease();
    const v = kernelVersion(release);
    const need = MIN_KERNEL.join('.');
    if (!v)
      return fail('kernel', `cannot read the kernel version from "${release}"`, `stack needs Linux ${need} or later`);
    const older = v[0] < MIN_KERNEL[0] || (v[0] === MIN_KERNEL[0] && v[1] < MIN_KERNEL[1]);
    if (older) {
      return fail(
        'kernel',
        `Linux ${release} is older than ${need}: the init stages mount by fd (mount_setattr, move_mount), which ${need} brought`,
        `boot Linux ${need} or later (Debian 12: 6.1, Ubuntu 22.04: 5.15)`,
      );
    }
    return ok('kernel', `Linux ${release} (${need} or later: the init stages mount by fd)`);
  },
};

export const memfdCheck: Check = {
  name: 'memfd',
  run(probe) {
    const noexec = probe.read('/proc/sys/vm/memfd_noexec')?.trim();
    if (noexec === undefined) return ok('memfd', 'no vm.memfd_noexec (before Linux 6.3): memfds may be executable');
    if (noexec !== '2')
      return ok('memfd', `vm.memfd_noexec=${noexec}: the native init stage runs from a sealed executable memfd`);
    const native = probe.nativeStage();
    if (!native)
      return ok(
        'memfd',
        'vm.memfd_noexec=2 forbids executable memfds, but the Node init stage is in use and needs none',
      );
    return fail(
      'memfd',
      'vm.memfd_noexec=2 forbids executable memfds: the native init stage, which runs from a sealed memfd copy, cannot start containers',
      'sysctl -w vm.memfd_noexec=1 (stack asks for MFD_EXEC), or STACK_INIT_STAGE=node for the portable stage (~30 ms slower per start)',
    );
  },
};
