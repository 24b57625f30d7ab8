// Keys that are accepted and do nothing here, each with a one-line note (a located
// warning), as docker compose accepts them:
//   - keys that only matter to a swarm (placement, update and rollback policies, the
//     endpoint mode, a service mode other than replicated, a network's `attachable`): a
//     file written for both runs unchanged;
//   - an AppArmor profile or SELinux label on a host without that security module, which
//     docker ignores there too (on a host with one, rules/security-opt.ts refuses it);
//   - a network's `ipam.options`, which docker's default IPAM driver never reads;
//   - the top-level `version`, obsolete in the Compose Specification (docker compose warns too).

import { sortDiagnostics, type Diagnostic } from '../../model/diagnostics.js';
import { obj } from './rules/context.js';
import { LSM_OF, securityOpts } from './rules/security-opt.js';
import { diagAtPath, type SourceSet } from './source-map.js';

const SWARM_ONLY = ['placement', 'update_config', 'rollback_config', 'endpoint_mode'];
/**
 * Nested deploy keys compose leaves to a swarm too: deploy.labels label the swarm service
 * (`labels:` labels containers), a CPU reservation is a swarm scheduling option (compose
 * maps only the memory one, to the container's soft limit).
 */
const SWARM_ONLY_PATHS: [path: string[], what: string][] = [
  [['labels'], 'labels a swarm service, not its containers (use labels)'],
  [['resources', 'reservations', 'cpus'], 'is a swarm scheduling option'],
];

/**
 * docker hands a network's ipam.options to its IPAM driver's pool request, and the default
 * driver's RequestPool reads none of them (it keeps them for `docker network inspect`);
 * addresses are asked for with the endpoint's own options, never the network's.
 */
const IPAM_OPTIONS =
  "docker's default IPAM driver reads no options (it only keeps them for inspect), and stack allocates as that driver does; stack ignores it, as docker does";

export function loadNotes(raw: unknown, files: SourceSet, hostLsms?: readonly string[]): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (obj(raw)?.version !== undefined)
    out.push(
      diagAtPath(
        files,
        ['version'],
        '"version" is obsolete in the Compose Specification; stack ignores it, as docker compose does: remove it',
        'key',
      ),
    );
  for (const [name, value] of Object.entries(obj(obj(raw)?.services) ?? {})) {
    const svc = obj(value);
    if (!svc) continue;
    const deploy = obj(svc.deploy);
    const keys = SWARM_ONLY.filter((k) => deploy?.[k] !== undefined);
    if (deploy?.mode !== undefined && deploy.mode !== 'replicated') keys.push('mode');
    for (const key of keys) {
      const message = `deploy.${key} of service "${name}" only matters to a swarm; stack ignores it, as docker compose does`;
      out.push(diagAtPath(files, ['services', name, 'deploy', key], message, 'key'));
    }
    for (const [at, what] of SWARM_ONLY_PATHS) {
      if (at.reduce<unknown>((v, k) => obj(v)?.[k], deploy) === undefined) continue;
      const message = `deploy.${at.join('.')} of service "${name}" ${what}; stack ignores it, as docker compose does`;
      out.push(diagAtPath(files, ['services', name, 'deploy', ...at], message, 'key'));
    }
    if (hostLsms === undefined) continue;
    for (const { i, entry, opt } of securityOpts(svc)) {
      if (!('kind' in opt) || (opt.kind !== 'apparmor' && opt.kind !== 'label')) continue;
      const lsm = LSM_OF[opt.kind];
      if (hostLsms.includes(lsm)) continue;
      const message = `security_opt ${JSON.stringify(entry)} of service "${name}" does nothing here: this host has no ${lsm}, and docker ignores it there too`;
      out.push(diagAtPath(files, ['services', name, 'security_opt', i], message));
    }
  }
  for (const [key, value] of Object.entries(obj(obj(raw)?.networks) ?? {})) {
    for (const option of Object.keys(obj(obj(obj(value)?.ipam)?.options) ?? {})) {
      const message = `ipam.options "${option}" of network "${key}" does nothing: ${IPAM_OPTIONS}`;
      out.push(diagAtPath(files, ['networks', key, 'ipam', 'options', option], message, 'key'));
    }
    const attachable = obj(value)?.attachable;
    if (attachable !== true && attachable !== 'true') continue;
    const message = `attachable on network "${key}" only matters to a swarm; stack ignores it, as docker compose does`;
    out.push(diagAtPath(files, ['networks', key, 'attachable'], message, 'key'));
  }
  return sortDiagnostics(out);
}
