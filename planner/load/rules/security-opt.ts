// `security_opt` entries: one docker does not know is an error at its line (it used to be
// dropped without a word). AppArmor profiles and SELinux labels are never applied by stack:
// on a host with that security module, asking for one is refused (the container would
// differ from docker's); without it, docker ignores them too, and load-notes.ts says so.

import { parseSecurityOpt } from '../../../model/security-opt.js';
import { list, type Obj, type RuleContext } from './context.js';

/** The security module an entry of this kind asks for, as /sys/kernel/security/lsm names it. */
export const LSM_OF = { apparmor: 'apparmor', label: 'selinux' } as const;

/** Each `security_opt` entry of a service, parsed, with its index. */
export function securityOpts(svc: Obj) {
  return list(svc.security_opt).flatMap((e, i) =>
    typeof e === 'string' ? [{ i, entry: e, opt: parseSecurityOpt(e) }] : [],
  );
}

export function checkSecurityOpts(ctx: RuleContext, name: string, svc: Obj): void {
  for (const { i, entry, opt } of securityOpts(svc)) {
    const at = ['services', name, 'security_opt', i];
    if ('invalid' in opt) {
      ctx.at(at, `invalid security_opt ${JSON.stringify(entry)} of service "${name}": ${opt.invalid}`);
    } else if ((opt.kind === 'apparmor' || opt.kind === 'label') && ctx.hostLsms?.includes(LSM_OF[opt.kind])) {
      ctx.at(
        at,
        `valid Compose, not supported by stack: security_opt ${JSON.stringify(entry)} of service "${name}": remove it; stack loads no ${LSM_OF[opt.kind]} profile or label, and this host enforces ${LSM_OF[opt.kind]}`,
      );
    }
  }
}
