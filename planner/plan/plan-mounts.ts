// A service's `volumes:`, `tmpfs:`, `secrets:` and `configs:` → the container's mounts
// (ContainerSpec.mounts), with every problem the host would hit found before anything
// starts: undeclared or missing external volumes, secret files that are not there, bind
// sources that must not be created, host folders of bind-backed volumes that are not there,
// unset environment variables, duplicate targets.

import type { Observed } from '../../model/observed.js';
import type { MountSpec } from '../../model/plan.js';
import type { FileGrant, FileObject, Service, Stack, VolumeMount } from '../../model/types.js';
import { anonymousVolumeName, containerName } from '../../model/names.js';
import { volumesFromMounts } from './volumes-from.js';
import { volumeDevice } from '../../model/volume-driver.js';
import { volumeHash } from '../../model/hash.js';
import { normalizeImageRef } from '../../model/image-ref.js';

/** Docker's default for secrets and configs: readable by everyone in the container, writable by no one. */
const DEFAULT_FILE_MODE = 0o444;

/** Host paths that must already exist (observe reports the absent ones). */
export function requiredHostPaths(stack: Stack): string[] {
  const paths = new Set<string>();
  for (const service of stack.services) {
    for (const m of service.volumes) {
      if (m.type === 'bind' && m.createHostPath === false && m.source) paths.add(m.source);
      const device = m.type === 'volume' ? namedVolumeDevice(stack, m.source) : undefined;
      if (device) paths.add(device);
    }
    for (const [grants, objects] of [
      [service.secrets, stack.secrets],
      [service.configs, stack.configs],
    ] as const) {
      for (const g of grants) {
        const file = objects.find((o) => o.key === g.source)?.file;
        if (file) paths.add(file);
      }
    }
  }
  return [...paths].sort();
}

/** The host folder of a bind-backed volume the file declares (never created by stack: docker refuses a missing one too). */
function namedVolumeDevice(stack: Stack, key: string | undefined): string | undefined {
  const volume = stack.volumes.find((v) => v.key === key);
  return volume && !volume.external ? volumeDevice(volume.driverOpts) : undefined;
}

const depth = (target: string) => target.split('/').filter(Boolean).length;

/** A mount, or what keeps it from being made (said of its service). */
type MountOutcome = MountSpec | { problem: string };

export function planMounts(
  stack: Stack,
  service: Service,
  container: string,
  observed: Observed,
  /** Services whose volumes_from led here (a cycle, which the loader refuses, stops). */
  via: string[] = [],
): { mounts: MountSpec[]; problems: string[] } {
  const outcomes: MountOutcome[] = [
    ...[...service.volumes, ...service.tmpfs].map((m) => volumeMount(stack, m, container, observed)),
    ...service.secrets.map((g) => fileMount('secret', stack.secrets, g, observed)),
    ...service.configs.map((g) => fileMount('config', stack.configs, g, observed)),
  ];
  const mounts = outcomes.filter((o): o is MountSpec => !('problem' in o));
  const problems = outcomes.flatMap((o) => ('problem' in o ? [o.problem] : []));
  if (service.volumesFrom && !via.includes(service.name)) {
    const from = volumesFromMounts(stack, service.volumesFrom, mounts, (source) => {
      const sourceContainer = containerName(stack.project, source.name);
      return planMounts(stack, source, sourceContainer, observed, [...via, service.name]).mounts;
    });
    mounts.push(...from.mounts);
    problems.push(...from.problems);
  }
  const seen = new Set<string>();
  for (const m of mounts) {
    if (seen.has(m.target)) problems.push(`two mounts target ${m.target}; keep one`);
    seen.add(m.target);
  }
  // Parents before children: a bind inside a tmpfs must be mounted after the tmpfs.
  const ordered = mounts
    .map((m, i) => ({ m, i }))
    .sort((a, b) => depth(a.m.target) - depth(b.m.target) || a.i - b.i)
    .map(({ m }) => m);
  return { mounts: ordered, problems: problems.map((p) => `service ${service.name}: ${p}`) };
}

const say = (problem: string) => ({ problem });

function volumeMount(stack: Stack, m: VolumeMount, container: string, observed: Observed): MountOutcome {
  const common = {
    target: m.target,
    readOnly: m.readOnly,
    ...(m.tmpfsSize !== undefined ? { tmpfsSize: m.tmpfsSize } : {}),
    ...(m.tmpfsMode !== undefined ? { tmpfsMode: m.tmpfsMode } : {}),
  };
  if (m.type === 'tmpfs') return { type: 'tmpfs', source: '', ...common };
  if (m.type === 'image') return imageMount(m, observed, common);
  if (m.type === 'bind') {
    if (!m.source) return say(`bind mount at ${m.target} names no source`);
    if (m.createHostPath === false && observed.missingPaths.includes(m.source)) {
      return say(
        `bind source ${m.source} does not exist and bind.create_host_path is false; create it or drop that option`,
      );
    }
    return {
      type: 'bind',
      source: m.source,
      ...common,
      createHostPath: m.createHostPath !== false,
      propagation: m.propagation ?? 'rprivate',
    };
  }
  // A subfolder of the volume is mounted as it is: nothing of the image is copied into it.
  const volumeCommon = {
    ...common,
    ...(m.noCopy || m.subpath ? { noCopy: true } : {}),
    ...(m.subpath ? { subpath: m.subpath } : {}),
  };
  if (m.source === undefined)
    return { type: 'volume', source: anonymousVolumeName(container, m.target), ...volumeCommon, anonymous: true };
  const volume = stack.volumes.find((v) => v.key === m.source);
  if (!volume) {
    const declared = stack.volumes.map((v) => v.key);
    return say(
      `volume ${m.source} is not declared under the top-level volumes:${declared.length ? ` (declared: ${declared.join(', ')})` : ''}; add \`volumes: { ${m.source}: {} }\``,
    );
  }
  const seen = observed.volumes.find((v) => v.name === volume.name);
  if (volume.external && !seen) {
    return say(
      `external volume ${volume.name} does not exist; create it with \`stack volume create ${volume.name}\` or drop external: true`,
    );
  }
  // An external volume is what its record says; a volume of this stack is what the file says.
  const device = volume.external ? seen?.device : volumeDevice(volume.driverOpts);
  if (!volume.external && device && observed.missingPaths.includes(device)) {
    return say(
      `volume ${volume.key} keeps its data in host folder ${device} (driver_opts device), which does not exist; create it, or set device to a folder that exists`,
    );
  }
  if (volume.external)
    return { type: 'volume', source: volume.name, ...volumeCommon, external: true, ...(device ? { device } : {}) };
  const config = { driver: volume.driver, driverOpts: volume.driverOpts, labels: volume.labels };
  return {
    type: 'volume',
    source: volume.name,
    ...volumeCommon,
    ...(device ? { device } : {}),
    volume: { config, hash: volumeHash(config) },
  };
}

/** `type: image`: the stored image's layers, read-only; `up` pulls a missing one first (images/pull-policy.ts). */
function imageMount(m: VolumeMount, observed: Observed, common: Pick<MountSpec, 'target'>): MountOutcome {
  if (!m.source) return say(`image mount at ${m.target} names no image`);
  let ref: string;
  try {
    ref = normalizeImageRef(m.source);
  } catch (err) {
    return say(`image mount at ${m.target}: ${(err as Error).message}`);
  }
  const image = observed.images.find((i) => i.ref === ref);
  if (!image)
    return say(
      `image ${ref} mounted at ${m.target} is not in the local store; pull it with \`stack image pull ${m.source}\``,
    );
  return {
    type: 'image',
    source: ref,
    ...common,
    readOnly: true,
    ...(m.subpath ? { subpath: m.subpath } : {}),
    image: { id: image.id, layers: image.layers },
  };
}

function fileMount(kind: 'secret' | 'config', objects: FileObject[], g: FileGrant, observed: Observed): MountOutcome {
  const obj = objects.find((o) => o.key === g.source);
  if (!obj) return say(`${kind} ${g.source} is not declared under the top-level ${kind}s:`);
  if (obj.external)
    return say(`${kind} ${obj.name} is external, which needs a swarm; give it a file:, environment: or content:`);
  const ids: { uid?: number; gid?: number } = {};
  for (const [field, value] of [
    ['uid', g.uid],
    ['gid', g.gid],
  ] as const) {
    if (value === undefined) continue;
    if (!/^\d+$/.test(value)) return say(`${kind} ${g.source}: ${field} must be a number, not "${value}"`);
    ids[field] = Number(value);
  }
  const base = { type: 'file' as const, target: g.target, readOnly: true, ...ids, mode: g.mode ?? DEFAULT_FILE_MODE };
  if (obj.file !== undefined) {
    if (observed.missingPaths.includes(obj.file)) return say(`${kind} ${g.source}: file ${obj.file} does not exist`);
    return { ...base, source: obj.file };
  }
  if (obj.content !== undefined) return { ...base, source: '', content: obj.content };
  if (obj.environment !== undefined)
    return say(`${kind} ${g.source}: environment variable ${obj.environment} is not set`);
  return say(`${kind} ${g.source} has neither file:, environment: nor content:`);
}
