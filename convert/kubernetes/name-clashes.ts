// Two things of the stack that become one Kubernetes name (`api_v1` and `api-v1` are both
// `api-v1`): one manifest would overwrite the other (`-o DIR` writes one file per object
// name, `kubectl apply` keeps the last), so the conversion is refused, naming both and the
// fix. Services are reported at the later one's key; volumes, configs, secrets and
// networks at their top-level key; anything else that still clashes by kind and name
// (a suffixed name meeting another's) names the object.

import type { SourcePos } from '../../model/types.js';
import {
  configMapName,
  secretName,
  serviceObjectName,
  volumeClaimName,
  type ConvertContext,
} from './convert-context.js';
import type { ConvertWarning, K8sObject } from './convert-types.js';
import { dnsLabel } from './k8s-names.js';

const FIX = 'rename one of them (Kubernetes names take lowercase letters, digits and "-" only)';

/** Each later one of `names` whose Kubernetes name an earlier one has, with that earlier one. */
function clashing(names: string[], nameOf: (name: string) => string): { earlier: string; later: string; as: string }[] {
  const byName = new Map<string, string>();
  const out: { earlier: string; later: string; as: string }[] = [];
  for (const later of names) {
    const as = nameOf(later);
    const earlier = byName.get(as);
    if (earlier === undefined) byName.set(as, later);
    else out.push({ earlier, later, as });
  }
  return out;
}

const message = (what: string, c: { earlier: string; later: string; as: string }) =>
  `${what} ${c.earlier} and ${c.later} both become the Kubernetes name ${c.as}: ${FIX}`;

/** The clashes of the stack's own names, else of whatever objects still share a kind and name. */
export function nameClashes(ctx: ConvertContext, objects: K8sObject[]): ConvertWarning[] {
  const s = ctx.stack;
  const topPos: SourcePos = { file: s.services[0]?.pos.file ?? s.file, line: 1, col: 1 };
  const found: ConvertWarning[] = clashing(
    s.services.map((v) => v.name),
    (name) => serviceObjectName({ name }),
  ).map((c) => ({
    pos: s.services.find((v) => v.name === c.later)!.pos,
    path: ['services', c.later],
    message: message('services', c),
  }));
  const topLevel: [string, string[], (key: string) => string][] = [
    ['volumes', s.volumes.map((v) => v.key), volumeClaimName],
    ['configs', s.configs.map((c) => c.key), configMapName],
    ['secrets', s.secrets.map((c) => c.key), secretName],
    ['networks', s.networks.map((n) => n.key), (key) => dnsLabel(`network-${key}`)],
  ];
  for (const [what, keys, nameOf] of topLevel)
    for (const c of clashing(keys, nameOf))
      found.push({ pos: topPos, path: [what, c.later], message: message(what, c) });
  if (found.length > 0) return found;
  const seen = new Set<string>();
  for (const o of objects) {
    const key = `${o.kind}/${o.metadata.name}`;
    if (seen.has(key))
      found.push({ pos: topPos, path: [], message: `two ${o.kind} objects are named ${o.metadata.name}: ${FIX}` });
    seen.add(key);
  }
  return found;
}
