// `pid: service:X`, `ipc: service:X`, `links: [X]` and `volumes_from: [X]` name another service: it must
// be in the file and not the service itself. They count as dependencies (X starts first), so
// the cycle check sees them too (impliedReferences). `uts: host` shares the host's hostname,
// so a `hostname` beside it could only rename the host: docker refuses the pair, and so do we.
// Only a `shareable` ipc namespace (or one that says nothing: the planner makes it
// shareable) can be joined.

import { didYouMean } from '../../../model/edit-distance.js';
import type { PathSeg } from '../source-map.js';
import { list, type Obj, type RuleContext } from './context.js';
import { parseVolumesFrom, serviceOfMode } from '../shared-namespaces.js';
import { linkParts } from '../../../model/links.js';

/** The services these keys name, each with the path of its entry. */
export function impliedReferences(svc: Obj): { name: string; path: PathSeg[]; what: string }[] {
  const out: { name: string; path: PathSeg[]; what: string }[] = [];
  for (const key of ['pid', 'ipc'] as const) {
    const other = serviceOfMode(typeof svc[key] === 'string' ? svc[key] : undefined);
    if (other !== undefined) out.push({ name: other, path: [key], what: `shares the ${key} namespace of` });
  }
  list(svc.links).forEach((e, i) => {
    if (typeof e === 'string') out.push({ name: linkParts(e).target, path: ['links', i], what: 'links to' });
  });
  list(svc.volumes_from).forEach((e, i) => {
    const service = typeof e === 'string' ? parseVolumesFrom(e).service : undefined;
    if (service !== undefined) out.push({ name: service, path: ['volumes_from', i], what: 'mounts the volumes of' });
  });
  return out;
}

export function checkSharedNamespaces(ctx: RuleContext, name: string, svc: Obj): void {
  for (const ref of impliedReferences(svc)) {
    const path = ['services', name, ...ref.path];
    if (ref.name === name) ctx.at(path, `service "${name}" ${ref.what} itself`);
    else if (!ctx.services.has(ref.name)) {
      const hint = didYouMean(
        ref.name,
        ctx.names.filter((n) => n !== name),
      );
      ctx.at(path, `service "${name}" ${ref.what} unknown service "${ref.name}"${hint}`);
    }
  }
  const owner = serviceOfMode(typeof svc.ipc === 'string' ? svc.ipc : undefined);
  const ownMode = owner === undefined || owner === name ? undefined : ctx.services.get(owner)?.ipc;
  if (ownMode !== undefined && ownMode !== 'shareable')
    ctx.at(
      ['services', name, 'ipc'],
      `service "${name}" joins the ipc namespace of "${owner}", which has ipc: ${String(ownMode)} and cannot be joined (docker refuses this too); set ipc: shareable on "${owner}", or remove its ipc`,
    );
  if (svc.uts === 'host' && svc.hostname !== undefined)
    ctx.at(
      ['services', name, 'hostname'],
      `service "${name}" sets "hostname" but uses uts: host, where the hostname is the host's own (docker refuses this too); remove one of them`,
      'key',
    );
}
