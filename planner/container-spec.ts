// Builds the ContainerSpec of one service: the image config overlaid by the file, with
// its addresses. Docker's rules: entrypoint from the file replaces the image's and then
// the image CMD is dropped; command from the file replaces CMD; file env overrides image env.

import type { ImageInfo } from './observed.js';
import type { ContainerSpec, Endpoint, HostsEntry } from './plan.js';
import type { Service } from './types.js';
import { containerHash } from './hash.js';
import { containerName } from './names.js';

export function resolveArgv(service: Service, image: ImageInfo): string[] {
  const entrypoint = service.entrypoint ?? image.entrypoint ?? [];
  const cmd = service.command ?? (service.entrypoint ? [] : image.cmd ?? []);
  return [...entrypoint, ...cmd];
}

export function mergeEnv(imageEnv: string[], fileEnv: Record<string, string>): string[] {
  const merged = new Map<string, string>();
  for (const entry of imageEnv) {
    const eq = entry.indexOf('=');
    if (eq > 0) merged.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  for (const [k, v] of Object.entries(fileEnv)) merged.set(k, v);
  return [...merged].map(([k, v]) => `${k}=${v}`);
}

export function buildContainerSpec(
  project: string,
  service: Service,
  image: ImageInfo,
  endpoints: Endpoint[],
  hosts: HostsEntry[],
): ContainerSpec {
  const name = containerName(project, service.name);
  const spec: Omit<ContainerSpec, 'hash'> = {
    project,
    service: service.name,
    name,
    hostname: service.hostname ?? service.name,
    image: { ref: image.ref, id: image.id, layers: image.layers },
    argv: resolveArgv(service, image),
    env: mergeEnv(image.env, service.environment),
    cwd: service.workingDir ?? (image.workingDir || '/'),
    endpoints,
    hosts,
    stopSignal: service.stopSignal,
    stopGraceSeconds: service.stopGracePeriodSeconds,
  };
  return { ...spec, hash: containerHash(spec) };
}
