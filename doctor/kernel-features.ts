// The kernel features a container is made of: overlayfs (its root), the namespaces, veth
// pairs on a Linux bridge (its network).

import type { DoctorProbe } from '../executor/host/linux/doctor-probe.js';
import { MODULES_FIX, missingPieces, type KernelPiece } from './kernel-pieces.js';
import { fail, ok, warn, type Check } from './verdict.js';

/** A check that one kernel piece is there; `what` says what stack uses it for. */
function pieceCheck(
  name: string,
  piece: KernelPiece,
  what: string,
  alsoPresent?: (probe: DoctorProbe) => boolean,
): Check {
  return {
    name,
    run(probe) {
      if (alsoPresent?.(probe)) return ok(name, `${piece.module}: ${what}`);
      const { missing, unknown } = missingPieces(probe, [piece]);
      if (missing.length > 0)
        return fail(
          name,
          `${piece.module} is not in this kernel (${piece.option}): ${what}`,
          MODULES_FIX.replace('NAME', piece.module),
        );
      if (unknown.length > 0)
        return warn(
          name,
          `cannot tell whether the kernel has ${piece.module} (no module list, no kernel config): ${what}`,
          `modprobe ${piece.module}`,
        );
      return ok(name, `${piece.module}: ${what}`);
    },
  };
}

export const overlayCheck = pieceCheck(
  'overlayfs',
  { module: 'overlay', option: 'CONFIG_OVERLAY_FS' },
  "each container's root is an overlay of its image layers",
  (probe) => /\toverlay$/m.test(probe.read('/proc/filesystems') ?? ''),
);
export const vethCheck = pieceCheck(
  'veth',
  { module: 'veth', option: 'CONFIG_VETH' },
  'each container joins its networks through a veth pair',
);
export const bridgeCheck = pieceCheck(
  'bridge',
  { module: 'bridge', option: 'CONFIG_BRIDGE' },
  'each network is a Linux bridge',
);

/** The namespaces every container gets (the user namespace is not used). */
const NAMESPACES = ['mnt', 'uts', 'ipc', 'pid', 'net', 'cgroup'];

export const namespacesCheck: Check = {
  name: 'namespaces',
  run(probe) {
    const missing = NAMESPACES.filter((ns) => !probe.exists(`/proc/self/ns/${ns}`));
    if (missing.length > 0) {
      return fail(
        'namespaces',
        `this kernel has no ${missing.join(', ')} namespace (no /proc/self/ns/${missing[0]})`,
        'boot a kernel built with CONFIG_NAMESPACES and the UTS, IPC, PID, NET and CGROUP namespaces (every distribution kernel has them)',
      );
    }
    return ok('namespaces', NAMESPACES.join(', '));
  },
};
