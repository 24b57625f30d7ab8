// When a command fails for a reason of the host (overlayfs refusing STACK_ROOT, nftables
// missing, a cgroup controller absent, a full disk, …) the raw error (`mount overlay …
// EINVAL`) does not say what to do. The error's text names the piece; the doctor checks of
// that piece run, and the CLI prints each gap they find under the error, with its fix.

import type { DoctorProbe } from '../executor/host/linux/doctor-probe.js';
import { linuxDoctorProbe } from '../executor/host/linux/doctor-probe-linux.js';
import { allChecks, runChecks } from './checks.js';
import type { CheckResult } from './verdict.js';

/** Which checks an error's text points at. */
const POINTERS: { pattern: RegExp; checks: string[] }[] = [
  { pattern: /mount[^\n]*overlay|overlayfs/i, checks: ['overlayfs', 'stack-root'] },
  { pattern: /ENOSPC|no space left|EDQUOT/, checks: ['stack-root'] },
  { pattern: /libnftables|\bnft:|nf_tables/, checks: ['nftables'] },
  { pattern: /cgroup/, checks: ['cgroups', 'cgroup-parent'] },
  { pattern: /\btini\b/, checks: ['tini'] },
  { pattern: /memfd/, checks: ['memfd'] },
  { pattern: /ENOSYS/, checks: ['kernel'] },
  { pattern: /ip_forward/, checks: ['ip-forward'] },
  { pattern: /veth|RTM_NEWLINK|EOPNOTSUPP/, checks: ['veth', 'bridge'] },
];

export function checksPointedAt(messages: string[]): string[] {
  const text = messages.join('\n');
  return [...new Set(POINTERS.filter((p) => p.pattern.test(text)).flatMap((p) => p.checks))];
}

/** The gaps of the host pieces the error names (none when it names none, or they are fine). */
export async function hostGaps(messages: string[], probe: DoctorProbe = linuxDoctorProbe()): Promise<CheckResult[]> {
  const names = checksPointedAt(messages);
  if (names.length === 0) return [];
  const results = await runChecks(
    probe,
    allChecks().filter((c) => names.includes(c.name)),
  );
  return results.filter((r) => r.verdict !== 'ok');
}
