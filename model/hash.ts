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
 * does the writing (undefined members left out); the replacer only hands it each object
 * with its keys in order — several times faster than writing the text here.
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, sortKeys);
}

function sortKeys(_key: string, value: unknown): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  // Most objects of a spec are small and written in order already: a copy would only make garbage.
  let ordered = true;
  for (let i = 1; i < keys.length && ordered; i++) ordered = keys[i - 1]! < keys[i]!;
  if (ordered) return value;
  const sorted: Record<string, unknown> = {};
  for (const k of keys.sort()) sorted[k] = (value as Record<string, unknown>)[k];
  return sorted;
}

export function hashOf(value: unknown): string {
  return sha256Hex(canonicalJson(value)).slice(0, 16);
}

/** The container's config hash: the same for every replica of a service (see above). */
export function containerHash(spec: Omit<ContainerSpec, 'hash'>): string {
  const {
    hosts,
    name: _name,
    displayName: _shown,
    replica: _replica,
    endpoints,
    mounts,
    readyPorts: _ready,
    ...shape
  } = spec;
  // /etc/hosts: the container's own line differs per replica; the rest is extra_hosts,
  // whose change must recreate (the file is written once, at start). Left out when empty,
  // so the hashes of containers without extra_hosts stay what they were.
  const own = new Set(endpoints.flatMap((e) => [e.ip, ...(e.ip6 ? [e.ip6] : [])]));
  const extraHosts = hosts.filter((h) => !own.has(h.ip));
  return hashOf({
    ...shape,
    ...(extraHosts.length > 0 ? { extraHosts } : {}),
    endpoints: endpoints.map(({ ip: _ip, ip6: _ip6, hostVeth: _veth, ...ep }) => ep),
    // An anonymous volume is named after its container: each replica has its own. What a
    // named volume is made from only matters when the volume is created, and a changed one
    // stops `up` (check-volumes.ts), so it never needs a container recreated (and leaving it
    // out kept the hashes of containers made before volumes had one).
    mounts: mounts.map(({ volume: _volume, ...m }) => (m.anonymous ? { ...m, source: '' } : m)),
  });
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
