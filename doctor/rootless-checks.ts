// The rootless section as doctor checks: the facts are read once per probe, each check
// judges them, and its result is marked as rootless (shown, but not deciding the exit code).

import type { DoctorProbe } from '../executor/host/linux/doctor-probe.js';
import {
  idMappersCheck,
  rootlessCgroupsCheck,
  rootlessNetworkCheck,
  rootlessUserCheck,
  tunCheck,
  runtimeDirCheck,
  userNamespacesCheck,
  usernsOverlayCheck,
} from './rootless.js';
import { readRootlessFacts, type RootlessFacts } from './rootless-facts.js';
import { subidsCheck } from './subids.js';
import type { Check, CheckResult } from './verdict.js';

const factsByProbe = new WeakMap<DoctorProbe, RootlessFacts>();

function factsOf(probe: DoctorProbe): RootlessFacts {
  let facts = factsByProbe.get(probe);
  if (!facts) factsByProbe.set(probe, (facts = readRootlessFacts(probe)));
  return facts;
}

const JUDGES: [string, (facts: RootlessFacts) => CheckResult][] = [
  ['rootless', rootlessUserCheck],
  ['uidmap', idMappersCheck],
  ['subids', subidsCheck],
  ['userns', userNamespacesCheck],
  ['userns-overlay', usernsOverlayCheck],
  ['rootless-net', rootlessNetworkCheck],
  ['tun', tunCheck],
  ['user-cgroups', rootlessCgroupsCheck],
  ['runtime-dir', runtimeDirCheck],
];

export const rootlessChecks: Check[] = JUDGES.map(([name, judge]) => ({
  name,
  // Run by the user (not root, not for $SUDO_USER), these are what their commands need.
  run: (probe) => ({
    ...judge(factsOf(probe)),
    section: 'rootless',
    ...(probe.euid() !== 0 ? { blocking: true } : {}),
  }),
}));
