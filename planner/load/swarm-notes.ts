// Keys that only matter to a swarm (placement, update and rollback policies, the endpoint
// mode, a service mode other than replicated) are accepted with a one-line note, as docker
// compose accepts them without a swarm: a file written for both runs unchanged, and the
// note says the key does nothing here.

import { sortDiagnostics, type Diagnostic } from '../../model/diagnostics.js';
import { obj } from './rules/context.js';
import { diagAtPath, type SourceSet } from './source-map.js';

const SWARM_ONLY = ['placement', 'update_config', 'rollback_config', 'endpoint_mode'];

export function swarmNotes(raw: unknown, files: SourceSet): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [name, svc] of Object.entries(obj(obj(raw)?.services) ?? {})) {
    const deploy = obj(obj(svc)?.deploy);
    if (!deploy) continue;
    const keys = SWARM_ONLY.filter((k) => deploy[k] !== undefined);
    if (deploy.mode !== undefined && deploy.mode !== 'replicated') keys.push('mode');
    for (const key of keys) {
      const message = `deploy.${key} of service "${name}" only matters to a swarm; stack ignores it, as docker compose does`;
      out.push(diagAtPath(files, ['services', name, 'deploy', key], message, 'key'));
    }
  }
  return sortDiagnostics(out);
}
