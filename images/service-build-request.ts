// A service's BuildSpec (what the file says) and the command's overrides (`--no-cache`,
// `--pull`, `--build-arg`) → the BuildRequest the engine runs. The image is stored under
// the service's image (`image:`, else `<project>-<service>`) and every `build.tags` entry;
// a `service:NAME` context is NAME's image, a build secret is its top-level secret's file.

import path from 'node:path';
import { normalizeImageRef } from '../model/image-ref.js';
import type { Service, Stack } from '../model/types.js';
import type { BuildRequest } from './build/build-request.js';

export interface BuildOverrides {
  noCache?: boolean;
  pull?: boolean;
  /** `--build-arg K=V`, over the file's `build.args`. */
  buildArgs?: Record<string, string>;
}

function additionalContext(stack: Stack, value: string): string {
  if (value.startsWith('docker-image://')) return `image:${value.slice('docker-image://'.length)}`;
  if (!value.startsWith('service:')) return value;
  const other = stack.services.find((s) => s.name === value.slice('service:'.length));
  // The rules made sure NAME is a service with a build; its image is what the context holds.
  return `image:${normalizeImageRef(other!.image)}`;
}

export function serviceBuildRequest(stack: Stack, service: Service, overrides: BuildOverrides = {}): BuildRequest {
  const spec = service.build;
  if (!spec) throw new Error(`service ${service.name} has no build section`);
  const secretFile = (source: string) => stack.secrets.find((s) => s.key === source)?.file;
  const request: BuildRequest = {
    context: spec.context,
    dockerfile:
      spec.dockerfileInline !== undefined
        ? { inline: spec.dockerfileInline }
        : { file: path.resolve(spec.context, spec.dockerfile ?? 'Dockerfile') },
    buildArgs: new Map(Object.entries({ ...spec.args, ...overrides.buildArgs })),
    tags: [...new Set([service.image, ...spec.tags].map(normalizeImageRef))],
    labels: spec.labels,
    noCache: spec.noCache || overrides.noCache === true,
    pull: spec.pull || overrides.pull === true,
    network: spec.network,
    extraHosts: spec.extraHosts,
    secrets: spec.secrets.map(({ source, ...s }) => ({ ...s, file: secretFile(source)! })),
    additionalContexts: Object.fromEntries(
      Object.entries(spec.additionalContexts).map(([name, value]) => [name, additionalContext(stack, value)]),
    ),
  };
  if (spec.target !== undefined) request.target = spec.target;
  if (spec.shmSizeBytes !== undefined) request.shmSizeBytes = spec.shmSizeBytes;
  return request;
}
