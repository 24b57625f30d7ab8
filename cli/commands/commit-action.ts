// What `stack commit` does (loaded only when it runs; see commit.ts): with --pause (the
// default, as docker's) the committed container alone is frozen (commit-freeze.ts) while the
// Host writes the container's upper folder as a layer, so the layer is one moment's files;
// then the image is written over the container's own image (images/commit-image.ts).
// Prints the new image's id, as docker commit.

import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createLinuxHost } from '../../executor/host/linux/linux-host.js';
import { commitImage } from '../../images/commit-image.js';
import { findImage } from '../../images/image-store.js';
import { normalizeImageRef } from '../../model/image-ref.js';
import { paths } from '../../store/paths.js';
import { readState } from '../../store/state-store.js';
import { EXIT } from '../errors.js';
import { projectOf, type GlobalOptions } from '../stack-file.js';
import { UsageError } from '../usage-error.js';
import { serviceContainers } from '../service-containers.js';
import { whileFrozen } from './commit-freeze.js';

export interface CommitOptions {
  author?: string;
  change?: string[];
  message?: string;
  pause: boolean;
  index?: string;
}

export async function commit(
  globals: GlobalOptions,
  service: string,
  repository: string | undefined,
  opts: CommitOptions,
): Promise<number> {
  const project = projectOf(globals);
  const [target] = await serviceContainers(project, service, { index: opts.index ?? '1' });
  const record = await readState.container(project, target!.instance);
  if (!record) throw new UsageError(`container ${target!.name} has no record`);
  let tag: string;
  try {
    tag = normalizeImageRef(repository ?? target!.name);
  } catch (err) {
    throw new UsageError(`${repository}: not an image reference (${(err as Error).message})`);
  }
  const base = await findImage(record.spec.image.ref);
  if (!base) throw new Error(`the image of ${target!.name}, ${record.spec.image.ref}, is no longer in the store`);
  const pause = opts.pause && target!.state === 'running' && !target!.paused;
  const blob = path.join(paths.imagesDir(), 'tmp', `commit-${process.pid}-${randomBytes(6).toString('hex')}.tar.gz`);
  fs.mkdirSync(path.dirname(blob), { recursive: true, mode: 0o700 });
  try {
    const host = createLinuxHost();
    const snapshot = () => host.containers.snapshotLayer(project, target!.instance, blob);
    const layer = pause
      ? await whileFrozen(host, project, target!.instance, snapshot, () => fs.rmSync(blob, { force: true }))
      : await snapshot();
    const image = await commitImage({
      base,
      layer,
      tag,
      changes: opts.change ?? [],
      ...(opts.author !== undefined ? { author: opts.author } : {}),
      ...(opts.message !== undefined ? { message: opts.message } : {}),
      createdBy: record.spec.argv.join(' '),
    });
    process.stdout.write(`${image.id}\n`);
  } finally {
    fs.rmSync(blob, { force: true });
  }
  return EXIT.ok;
}
