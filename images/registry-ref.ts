// A normalised image reference split into what the distribution API needs: the registry
// host, the repository path and the tag or digest to ask for.

import { normalizeImageRef } from '../model/image-ref.js';

export interface RegistryRef {
  /** The normalised reference, the image store's key (`docker.io/library/busybox:latest`). */
  ref: string;
  /** host[:port] as written (`docker.io`, `127.0.0.1:5000`). */
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

export function parseRegistryRef(raw: string): RegistryRef {
  const ref = normalizeImageRef(raw);
  const slash = ref.indexOf('/');
  const registry = ref.slice(0, slash);
  let rest = ref.slice(slash + 1);
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  return {
    ref,
    registry,
    repository: rest,
    ...(tag !== undefined && { tag }),
    ...(digest !== undefined && { digest }),
  };
}

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])(?::\d+)?$/;

/**
 * The API's base URL. Loopback registries are spoken to in plain http, as docker treats
 * them as insecure registries by default; every other registry over https.
 */
export function registryBaseUrl(registry: string): string {
  if (registry === 'docker.io') return 'https://registry-1.docker.io';
  return `${LOOPBACK.test(registry) ? 'http' : 'https'}://${registry}`;
}
