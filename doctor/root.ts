// Root: stack drives namespaces, mounts, cgroups and nftables, which only root may do.

import type { DoctorProbe } from '../executor/host/linux/doctor-probe.js';
import { fail, ok, warn, type Check, type CheckResult } from './verdict.js';

export const rootCheck: Check = {
  name: 'root',
  run(probe) {
    const uid = probe.euid();
    if (uid === 0) return ok('root', 'running as root');
    // An ordinary user's commands run in rootless mode: what it needs is the rootless section (rootless.ts).
    return ok('root', `running as uid ${uid}: commands run in rootless mode (the rootless section says what it needs)`);
  },
};

/** For checks only root can make (listing nftables, making cgroups): what they say to anyone else. */
export function rootOnly(probe: DoctorProbe, check: string, what: string): CheckResult | undefined {
  if (probe.euid() === 0) return undefined;
  return warn(check, `not checked: ${what} needs root`, 'run stack doctor as root');
}
