// What an ordinary user's command checks before it enters rootless mode: the same facts and
// judges as doctor's rootless section, of which every failure stops the command with
// doctor's words and fix. Warnings (no delegated cgroups) do not stop it.

import { linuxDoctorProbe } from '../executor/host/linux/doctor-probe-linux.js';
import type { DoctorProbe } from '../executor/host/linux/doctor-probe.js';
import {
  idMappersCheck,
  rootlessNetworkCheck,
  runtimeDirCheck,
  tunCheck,
  userNamespacesCheck,
  usernsOverlayCheck,
} from './rootless.js';
import { readRootlessFacts, type RootlessFacts } from './rootless-facts.js';
import { subidsCheck } from './subids.js';
import type { CheckResult } from './verdict.js';

export class RootlessPrerequisiteError extends Error {
  constructor(readonly failed: CheckResult[]) {
    super(
      `rootless mode cannot start for this user:\n${failed.map((c) => `  ${c.check}: ${c.detail}${c.fix ? `\n    fix: ${c.fix}` : ''}`).join('\n')}\n(\`stack doctor\` shows every prerequisite)`,
    );
    this.name = 'RootlessPrerequisiteError';
  }
}

/**
 * The facts of the user who runs the command, once every prerequisite holds (else a
 * RootlessPrerequisiteError naming each failure). `ownRun`: STACK_RUN was given, so the
 * user's runtime folder is not needed.
 */
export function rootlessFacts(opts: { ownRun: boolean }, probe: DoctorProbe = linuxDoctorProbe()): RootlessFacts {
  const facts = readRootlessFacts(probe);
  const judges = [idMappersCheck, subidsCheck, userNamespacesCheck, usernsOverlayCheck, rootlessNetworkCheck, tunCheck];
  if (!opts.ownRun) judges.push(runtimeDirCheck);
  const failed = judges.map((judge) => judge(facts)).filter((c) => c.verdict === 'fail');
  if (failed.length > 0) throw new RootlessPrerequisiteError(failed);
  return facts;
}
