// `security_opt` entries as docker reads them: `KEY=VALUE`, or the older `KEY:VALUE`, and a
// bare `no-new-privileges` for true.

export type SecurityOpt =
  | { kind: 'seccomp'; value: string }
  | { kind: 'no-new-privileges'; value: boolean }
  | { kind: 'apparmor' | 'label'; value: string };

/** The entry parsed, or a reason it is not one docker (and so stack) knows. */
export function parseSecurityOpt(entry: string): SecurityOpt | { invalid: string } {
  if (entry === 'no-new-privileges') return { kind: 'no-new-privileges', value: true };
  const m = /^([a-z-]+)[=:](.*)$/s.exec(entry);
  const [key, value] = m ? [m[1]!, m[2]!] : [entry, ''];
  switch (key) {
    case 'seccomp':
      return { kind: 'seccomp', value };
    case 'no-new-privileges':
      if (value === 'true' || value === 'false') return { kind: 'no-new-privileges', value: value === 'true' };
      return { invalid: `no-new-privileges takes true or false, not ${JSON.stringify(value)}` };
    case 'apparmor':
    case 'label':
      return { kind: key, value };
    default:
      return { invalid: 'expected seccomp=…, no-new-privileges[:true|false], apparmor=… or label=…' };
  }
}

/** no_new_privs as docker sets it: off unless an entry turns it on; the last entry wins. */
export function noNewPrivilegesOf(securityOpt: readonly string[]): boolean {
  let on = false;
  for (const entry of securityOpt) {
    const opt = parseSecurityOpt(entry);
    if ('kind' in opt && opt.kind === 'no-new-privileges') on = opt.value;
  }
  return on;
}
