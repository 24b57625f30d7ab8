// Config hashes: a digest over everything that shapes a running object. Equal hash → the
// running object already matches the file and is left alone.
//
// What decides recreation is containerHash(spec), over the ContainerSpec reconcile builds
// (stored in each container's state record). serviceConfigHash(service) (`config --hash`)
// covers the same ground from the file's side; both leave out what never changes a
// running container: depends_on, scale/replicas, profiles, build and pull_policy are not
// in a ContainerSpec at all, and containerHash leaves out the per-replica identity (name,
// replica number, address, veth) and the container's own /etc/hosts line, so all replicas
// of a service share one hash and a neighbour's arrival recreates nothing; and the ports
// its readiness is judged by (from `ports` and `expose`, which recreate nothing either). A changed address is caught
// separately by reconcile (plan-containers.ts), which compares addresses directly.

import type { ContainerSpec, NetworkSpec } from './plan.js';
import type { Service, VolumeConfig } from './types.js';
import { sha256Hex } from './sha256.js';

/**
 * JSON with sorted keys, so the hash does not depend on property order. JSON.stringify
 * does the writing (undefined members left out) of a copy in which each object whose keys
 * are out of order is a sorted copy, and the rest the very objects given: most objects of
 * a spec are written in order already, and a copy would only make garbage. It writes what
 * JSON.stringify with a replacer that sorts each object writes (test/model/canonical-json.test.ts),
 * without a call from V8 into a replacer for every value, which cost a stack of 1000
 * services ~10 ms.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sorted(value, ''));
}

type Obj = Record<string, unknown>;

/** `value` with every object below it key-sorted; the same value when nothing needed it. */
function sorted(value: unknown, key: string): unknown {
  if (value === null || typeof value !== 'object') return value;
  // What JSON.stringify writes of an object with toJSON (a Date) is what toJSON gives.
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') return sorted(toJSON.call(value, key), key);
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (v === null || typeof v !== 'object') continue; // most members: no call for them
      const s = sorted(v, String(i));
      if (s !== v) (copy ??= value.slice())[i] = s;
    }
    return copy ?? value;
  }
  const keys = Object.keys(value);
  let ordered = true;
  for (let i = 1; i < keys.length && ordered; i++) ordered = keys[i - 1]! < keys[i]!;
  if (!ordered) keys.sort();
  let copy: Obj | undefined = ordered ? undefined : {};
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const v = (value as Obj)[k];
    const s = v === null || typeof v !== 'object' ? v : sorted(v, k);
    if (copy) copy[k] = s;
    else if (s !== v) {
      copy = {};
      for (let j = 0; j < i; j++) copy[keys[j]!] = (value as Obj)[keys[j]!];
      copy[k] = s;
    }
  }
  return copy ?? value;
}

export function hashOf(value: unknown): string {
  return sha256Hex(canonicalJson(value)).slice(0, 16);
}

/**
 * The members of a ContainerSpec its hash leaves out (see above), or writes its own way; and
 * the hash itself, which a spec carries as a member computed when first read (container-spec.ts).
 */
const NOT_HASHED = new Set(['hosts', 'name', 'displayName', 'replica', 'endpoints', 'mounts', 'readyPorts', 'hash']);

/** The container's config hash: the same for every replica of a service (see above). */
export function containerHash(spec: Omit<ContainerSpec, 'hash'>): string {
  const { hosts, endpoints, mounts } = spec;
  // /etc/hosts: the container's own line differs per replica; the rest is extra_hosts,
  // whose change must recreate (the file is written once, at start). Left out when empty,
  // so the hashes of containers without extra_hosts stay what they were.
  const own = new Set(endpoints.flatMap((e) => [e.ip, ...(e.ip6 ? [e.ip6] : [])]));
  const extraHosts = hosts.filter((h) => !own.has(h.ip));
  const rewritten: Obj = {
    ...(extraHosts.length > 0 ? { extraHosts } : {}),
    endpoints: endpoints.map(({ ip: _ip, ip6: _ip6, hostVeth: _veth, ...ep }) => ep),
    // An anonymous volume is named after its container: each replica has its own. What a
    // named volume is made from only matters when the volume is created, and a changed one
    // stops `up` (check-volumes.ts), so it never needs a container recreated (and leaving it
    // out kept the hashes of containers made before volumes had one).
    mounts: mounts.map(({ volume: _volume, ...m }) => (m.anonymous ? { ...m, source: '' } : m)),
  };
  // Made in key order, so canonicalJson need not copy it again.
  const keys = [...Object.keys(spec).filter((k) => !NOT_HASHED.has(k)), ...Object.keys(rewritten)].sort();
  const shape: Obj = {};
  for (const key of keys) shape[key] = Object.hasOwn(rewritten, key) ? rewritten[key] : (spec as Obj)[key];
  return hashOf(shape);
}

/** A volume's config hash: a change cannot be applied to an existing volume (check-volumes.ts). */
export function volumeHash(v: VolumeConfig): string {
  return hashOf({ driver: v.driver, driverOpts: v.driverOpts, labels: v.labels });
}

/** A network's config hash: a change recreates the bridge and rewires its containers. */
export function networkHash(spec: NetworkSpec): string {
  // Labels change nothing on the host, and records written before they were kept lack
  // them: counting them would recreate every labelled network after an upgrade.
  const { labels: _labels, ...shape } = spec;
  return hashOf(shape);
}

/**
 * The config hash of a service as `stack config --hash` prints it: a digest over every
 * field that changes the running container. Left out, as compose leaves them out: the
 * dependencies, the replica count, profiles, the build recipe, the pull policy and the
 * place in the file (none of them changes what runs in a container).
 */
export function serviceConfigHash(service: Service): string {
  const { dependsOn: _d, replicas: _r, profiles: _p, build: _b, pullPolicy: _pp, pos: _pos, ...shape } = service;
  // SIGTERM stands for "the file gives none", as it did before the image's own stop signal
  // was kept, so these hashes stay what they were.
  return hashOf({ ...shape, stopSignal: service.stopSignal ?? 'SIGTERM' });
}
