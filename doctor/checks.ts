// Every check of `stack doctor`, in the order they are shown: who runs stack, the kernel,
// cgroups, the network, the host's programs, then stack's own folders and ports; last, what
// rootless mode needs for the user who runs doctor.

import type { DoctorProbe } from '../executor/host/linux/doctor-probe.js';
import { cgroupParentCheck, cgroupRealtimeCheck, cgroupsCheck } from './cgroups.js';
import { firewallCheck } from './firewall.js';
import { busyboxCheck, nativeStageCheck, tiniCheck } from './host-pieces.js';
import { kernelCheck, memfdCheck } from './kernel.js';
import { bridgeCheck, namespacesCheck, overlayCheck, vethCheck } from './kernel-features.js';
import { brNetfilterCheck, ipForwardCheck } from './network-state.js';
import { nftablesCheck, nftCommandCheck } from './nftables.js';
import { portsCheck, type PublishedPort } from './ports.js';
import { rootCheck } from './root.js';
import { rootlessChecks } from './rootless-checks.js';
import { stackRootCheck, stackRunCheck } from './stack-dirs.js';
import { warn, type Check, type CheckResult } from './verdict.js';

export function allChecks(published: PublishedPort[] = []): Check[] {
  return [
    rootCheck,
    kernelCheck,
    memfdCheck,
    namespacesCheck,
    overlayCheck,
    vethCheck,
    bridgeCheck,
    cgroupsCheck,
    cgroupParentCheck,
    cgroupRealtimeCheck,
    nftablesCheck,
    nftCommandCheck,
    ipForwardCheck,
    brNetfilterCheck,
    firewallCheck,
    busyboxCheck,
    tiniCheck,
    nativeStageCheck,
    stackRootCheck,
    stackRunCheck,
    portsCheck(published),
    ...rootlessChecks,
  ];
}

/** Runs the checks one after the other; a check that throws reports that instead of ending the rest. */
export async function runChecks(probe: DoctorProbe, checks: Check[]): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) {
    try {
      results.push(await check.run(probe));
    } catch (err) {
      results.push(
        warn(check.name, `the check itself failed: ${(err as Error).message}`, 'report this as a bug of stack doctor'),
      );
    }
  }
  return results;
}
