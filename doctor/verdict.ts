// One line of `stack doctor`: a check's name, its verdict, what it found, and for a gap
// how to close it. `fail` means stack cannot work on this host (doctor exits 1); `warn`
// means a part of it (a feature, speed, persistence) is missing or at risk.

import type { DoctorProbe } from '../executor/host/linux/doctor-probe.js';

export type Verdict = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  check: string;
  verdict: Verdict;
  detail: string;
  /** How to close the gap (warn and fail only). */
  fix?: string;
  /**
   * 'rootless': a prerequisite of rootless mode, which rootful stack does not need: its gaps are shown
   * but do not make doctor fail (rootful stack runs without them).
   */
  section?: 'rootless';
  /** A rootless prerequisite checked for the user who runs doctor: their commands run in rootless mode, so its gap blocks them. */
  blocking?: boolean;
}

/** Whether a result means stack cannot run on this host (doctor's exit code, JSON `ok`). */
export const blocksStack = (r: CheckResult): boolean =>
  r.verdict === 'fail' && (r.section === undefined || r.blocking === true);

/** A check looks at the host through the probe only, so a test can hand it a fake host. */
export interface Check {
  name: string;
  run(probe: DoctorProbe): CheckResult | Promise<CheckResult>;
}

export const ok = (check: string, detail: string): CheckResult => ({ check, verdict: 'ok', detail });
export const warn = (check: string, detail: string, fix: string): CheckResult => ({
  check,
  verdict: 'warn',
  detail,
  fix,
});
export const fail = (check: string, detail: string, fix: string): CheckResult => ({
  check,
  verdict: 'fail',
  detail,
  fix,
});
