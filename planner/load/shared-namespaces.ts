// `pid`, `ipc`, `uts`, `cgroup`, `volumes_from` and `links`: what a service takes from
// another container instead of having its own. Like compose-go's normalisation, a service
// named in `pid: service:X`, `ipc: service:X`, `links: [X]` or `volumes_from: [X]` becomes a
// `depends_on` entry (service_started, required; `restart: true` but for volumes_from, as
// compose-go sets it), so X starts first and the graph and cycle checks see the edge.

import type { Dependency, NamespaceModes, VolumesFrom } from '../../model/types.js';
import { linkParts } from '../../model/links.js';

type Obj = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The namespace modes the file sets, or undefined when it sets none. */
export function namespaceModes(s: Obj): NamespaceModes | undefined {
  const modes: NamespaceModes = {};
  const pid = str(s.pid);
  const ipc = str(s.ipc);
  if (pid !== undefined) modes.pid = pid;
  if (ipc !== undefined) modes.ipc = ipc;
  if (s.uts === 'host') modes.uts = 'host';
  if (s.cgroup === 'host' || s.cgroup === 'private') modes.cgroup = s.cgroup;
  return Object.keys(modes).length > 0 ? modes : undefined;
}

/** `SERVICE[:ro|:rw]` or `container:NAME[:ro|:rw]`. */
export function parseVolumesFrom(entry: string): VolumesFrom {
  const container = entry.startsWith('container:');
  const rest = container ? entry.slice('container:'.length) : entry;
  const m = /^(.*?)(?::(ro|rw))?$/.exec(rest)!;
  const name = m[1]!;
  return { ...(container ? { container: name } : { service: name }), readOnly: m[2] === 'ro' };
}

export function volumesFrom(v: unknown): VolumesFrom[] | undefined {
  const list = Array.isArray(v) ? v.filter((e): e is string => typeof e === 'string') : [];
  return list.length > 0 ? list.map(parseVolumesFrom) : undefined;
}

/** The service a `service:NAME` mode names. */
export function serviceOfMode(mode: string | undefined): string | undefined {
  return mode?.startsWith('service:') ? mode.slice('service:'.length) : undefined;
}

/** `dependsOn` with the services these keys name added where depends_on lacks them, sorted by name. */
export function withImpliedDependencies(
  dependsOn: Dependency[],
  modes: NamespaceModes | undefined,
  from: VolumesFrom[] | undefined,
  links: string[] | undefined,
): Dependency[] {
  const out = new Map(dependsOn.map((d) => [d.service, d]));
  const add = (service: string | undefined, restart: boolean) => {
    if (service !== undefined && !out.has(service))
      out.set(service, { service, condition: 'service_started', required: true, restart });
  };
  add(serviceOfMode(modes?.pid), true);
  add(serviceOfMode(modes?.ipc), true);
  for (const f of from ?? []) add(f.service, false);
  for (const link of links ?? []) add(linkParts(link).target, true);
  return [...out.values()].sort((a, b) => (a.service < b.service ? -1 : a.service > b.service ? 1 : 0));
}

/** `links` / `external_links` entries: the list of strings, or undefined when there is none. */
export function linkList(v: unknown): string[] | undefined {
  const list = Array.isArray(v) ? v.filter((e): e is string => typeof e === 'string') : [];
  return list.length > 0 ? list : undefined;
}

/** An entry as `stack config` shows it. */
export function volumesFromText(f: VolumesFrom): string {
  return `${f.container !== undefined ? `container:${f.container}` : f.service}${f.readOnly ? ':ro' : ''}`;
}
