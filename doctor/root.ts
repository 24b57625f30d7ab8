// Root: stack drives namespaces, mounts, cgroups and nftables, which only root may do.

import type { DoctorProbe } from '../executor/host/linux/doctor-probe.js';
import { fail, ok, warn, type Check, type CheckResult } from './verdict.js';

export const rootCheck: Check = {
  name: 'root',
  run(probe) {
    const uid = probe.euid();
    if (uid === 0) return ok('root', 'running as root');
    // What rootless mode (not built yet) will need is the rootless section (rootless.ts).
    return fail(
      'root',
      `running as uid ${uid}: stack makes namespaces, mounts, cgroups and nftables rules, which need root (rootless mode is not supported yet)`,
      'run stack as root (sudo stack …)',
    );
  },
};

/** For checks only root can make (listing nftables, making cgroups): what they say to anyone else. */
export function rootOnly(probe: DoctorProbe, check: string, what: string): CheckResult | undefined {
  if (probe.euid() === 0) return undefined;
  return warn(check, `not checked: ${what} needs root`, 'run stack doctor as root');
}
