// The doctor's checks against this machine (the real probe of executor/host/linux/).

import { linuxDoctorProbe } from '../executor/host/linux/doctor-probe-linux.js';
import { allChecks, runChecks } from './checks.js';
import type { PublishedPort } from './ports.js';
import type { CheckResult } from './verdict.js';

export function checkThisHost(published: PublishedPort[] = []): Promise<CheckResult[]> {
  return runChecks(linuxDoctorProbe(), allChecks(published));
}
