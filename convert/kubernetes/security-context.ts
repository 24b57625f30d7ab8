// user, cap_add, cap_drop, read_only, privileged and security_opt as the container's
// securityContext; group_add and sysctls as the pod's. Kubernetes runs as numeric ids
// only: a user name (looked up in the image's /etc/passwd by stack) cannot carry over.

import type { Service } from '../../model/types.js';
import { canonicalCapability } from '../../model/capabilities.js';
import { parseSecurityOpt } from '../../model/security-opt.js';
import { warnService, type ConvertContext } from './convert-context.js';

const NUMERIC = /^\d+$/;

/** Kubernetes names capabilities without `CAP_`, except ALL. */
const k8sCapability = (name: string) => canonicalCapability(name).replace(/^CAP_/, '');

function userIds(ctx: ConvertContext, service: Service): Record<string, number> {
  if (service.user === undefined) return {};
  const [user = '', group] = service.user.split(':');
  const out: Record<string, number> = {};
  if (NUMERIC.test(user)) out.runAsUser = Number(user);
  if (group !== undefined && NUMERIC.test(group)) out.runAsGroup = Number(group);
  if (!NUMERIC.test(user) || (group !== undefined && !NUMERIC.test(group)))
    warnService(
      ctx,
      service,
      ['user'],
      `user "${service.user}" names a user or group; Kubernetes takes numeric ids only, so the image's user runs instead of the name`,
    );
  return out;
}

function securityOpts(ctx: ConvertContext, service: Service): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  service.securityOpt.forEach((entry, i) => {
    const opt = parseSecurityOpt(entry);
    if ('kind' in opt && opt.kind === 'no-new-privileges') out.allowPrivilegeEscalation = !opt.value;
    else if ('kind' in opt && opt.kind === 'seccomp' && opt.value === 'unconfined')
      out.seccompProfile = { type: 'Unconfined' };
    else if ('kind' in opt && opt.kind === 'apparmor' && opt.value === 'unconfined')
      out.appArmorProfile = { type: 'Unconfined' };
    else warnService(ctx, service, ['security_opt', i], `security_opt "${entry}" is not carried over`);
  });
  return out;
}

export function containerSecurityContext(ctx: ConvertContext, service: Service): Record<string, unknown> | undefined {
  const sc: Record<string, unknown> = { ...userIds(ctx, service), ...securityOpts(ctx, service) };
  const add = service.capAdd.map(k8sCapability);
  const drop = service.capDrop.map(k8sCapability);
  if (add.length || drop.length) sc.capabilities = { ...(add.length ? { add } : {}), ...(drop.length ? { drop } : {}) };
  if (service.privileged) sc.privileged = true;
  if (service.readOnly) sc.readOnlyRootFilesystem = true;
  return Object.keys(sc).length ? sc : undefined;
}

export function podSecurityContext(ctx: ConvertContext, service: Service): Record<string, unknown> | undefined {
  const sc: Record<string, unknown> = {};
  const groups = (service.groupAdd ?? []).filter((g) => NUMERIC.test(g)).map(Number);
  if (groups.length) sc.supplementalGroups = groups;
  (service.groupAdd ?? []).forEach((g, i) => {
    if (!NUMERIC.test(g))
      warnService(ctx, service, ['group_add', i], `group "${g}" is a name; Kubernetes takes numeric group ids only`);
  });
  const sysctls = Object.entries(service.sysctls).map(([name, value]) => ({ name, value }));
  if (sysctls.length) sc.sysctls = sysctls;
  return Object.keys(sc).length ? sc : undefined;
}
