// What `stack cp` does (loaded only when it runs; see cp.ts). The side with `SERVICE:` is the
// container's; the copy runs in this process through the Host (its paths are resolved
// inside the container's root there). From a container: its first replica (or --index);
// to a container: every replica, as docker compose copies to them all.

import path from 'node:path';
import { createLinuxHost } from '../../executor/host/linux/linux-host.js';
import { EXIT } from '../errors.js';
import { projectOf, type GlobalOptions } from '../stack-file.js';
import { UsageError } from '../usage-error.js';
import { serviceContainers } from '../service-containers.js';

export interface CpOptions {
  archive?: boolean;
  followLink?: boolean;
  index?: string;
  all?: boolean;
}

/** `SERVICE:PATH`, or undefined for a local path (one with a `/` before any `:`, like ./a:b, is local). */
function containerSide(arg: string): { service: string; path: string } | undefined {
  const colon = arg.indexOf(':');
  if (colon <= 0 || arg.slice(0, colon).includes('/')) return undefined;
  return { service: arg.slice(0, colon), path: arg.slice(colon + 1) };
}

export async function cp(
  globals: GlobalOptions,
  source: string,
  destination: string,
  opts: CpOptions,
): Promise<number> {
  const from = containerSide(source);
  const to = containerSide(destination);
  if ((from === undefined) === (to === undefined))
    throw new UsageError(
      'cp copies between a container and the host: one side is SERVICE:PATH, the other a local path',
    );
  if (source === '-' || destination === '-')
    throw new UsageError('cp with `-` (a tar stream) is not supported by stack');
  const side = (from ?? to)!;
  if (side.path === '') throw new UsageError(`cp: ${from ? source : destination} names no path in the container`);
  const project = projectOf(globals);
  const targets = await serviceContainers(project, side.service, opts);
  const host = createLinuxHost();
  const copy = { archive: opts.archive === true, followLink: opts.followLink === true };
  // A path in the container is absolute there; a relative one is from its root, as docker's is from its workdir `/`.
  const inContainer = side.path.startsWith('/') ? side.path : `/${side.path}`;
  if (from) {
    const keepDot = inContainer + (from.path.endsWith('/.') ? '/.' : '');
    await host.containers.copy(project, targets[0]!.instance, 'from-container', keepDot, destination, copy);
  } else {
    const src = path.resolve(source) + (source.endsWith('/.') ? '/.' : '');
    const dest = inContainer + (to!.path.endsWith('/') && inContainer !== '/' ? '/' : '');
    for (const t of targets) await host.containers.copy(project, t.instance, 'to-container', src, dest, copy);
  }
  return EXIT.ok;
}
