// Root: stack drives namespaces, mounts, cgroups and nftables, which only root may do.

import type { DoctorProbe } from '../executor/host/linux/doctor-probe.js';
import { fail, ok, warn, type Check, type CheckResult } from './verdict.js';

export const rootCheck: Check = {
  name: 'root',
  run(probe) {
    const uid = probe.euid();
    if (uid === 0) return ok('root', 'running as root');
    // Rootless mode runs such a user's commands in their own namespaces: its section (rootless.ts) says what it needs.
    return fail(
      'root',
      `running as uid ${uid}: stack makes namespaces, mounts, cgroups and nftables rules, which need root, or rootless mode (the rootless section below)`,
      'run stack as root (sudo stack …), or see the rootless section',
    );
  },
};

/** For checks only root can make (listing nftables, making cgroups): what they say to anyone else. */
export function rootOnly(probe: DoctorProbe, check: string, what: string): CheckResult | undefined {
  if (probe.euid() === 0) return undefined;
  return warn(check, `not checked: ${what} needs root`, 'run stack doctor as root');
}
