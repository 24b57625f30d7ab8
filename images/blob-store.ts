// The kept blobs under STACK_ROOT/images/blobs/sha256: each image's manifest, config and
// compressed layers as they were verified (pulled, imported or built), so `stack push` and
// `stack image save` send an image exactly as it is, with the same digests. A blob is only
// ever moved into place whole (rename), and a copy from outside is hashed after it is
// copied, so the name always covers the bytes.

import { createHash } from 'node:crypto';
import fs, { createReadStream } from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { paths } from '../store/paths.js';
import { BlobDigestError, ImageFormatError, type Descriptor } from './manifest.js';

/**
 * Moves a finished blob file to its content address (an equal blob there stays).
 * Synchronous calls: two metadata calls, each of which costs less than its trip through
 * the thread pool (a build step commits its layer here).
 */
export async function keepBlob(file: string, digest: string): Promise<void> {
  const target = paths.blobFile(digest);
  fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
  fs.renameSync(file, target);
}

/** Writes `bytes` as the blob `digest`. */
export async function writeBlob(bytes: Buffer, digest: string): Promise<void> {
  const target = paths.blobFile(digest);
  await fsp.mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
  const tmp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await fsp.writeFile(tmp, bytes, { mode: 0o600 });
  await fsp.rename(tmp, target);
}

export function blobsDir(): string {
  return path.dirname(paths.blobFile(`sha256:${'0'.repeat(64)}`));
}

export async function hasBlob(digest: string): Promise<boolean> {
  return (await fsp.stat(paths.blobFile(digest)).catch(() => null))?.isFile() ?? false;
}

/** The size of a kept blob, or undefined when it is not kept. */
export async function keptBlobSize(digest: string): Promise<number | undefined> {
  return (await fsp.stat(paths.blobFile(digest)).catch(() => null))?.size;
}

export async function fileDigest(file: string): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { digest: `sha256:${hash.digest('hex')}`, size };
}

/**
 * Copies `file` in as the blob `desc`, unless that blob is kept already. The copy is checked
 * against the digest (and size) before it gets its name: the source may change meanwhile.
 */
export async function keepBlobCopy(file: string, desc: Descriptor): Promise<void> {
  if (await hasBlob(desc.digest)) return;
  await fsp.mkdir(blobsDir(), { recursive: true, mode: 0o700 });
  const tmp = `${paths.blobFile(desc.digest)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await fsp.copyFile(file, tmp);
    const got = await fileDigest(tmp);
    if (got.digest !== desc.digest) throw new BlobDigestError(`blob ${file}`, desc.digest, got.digest);
    if (desc.size !== undefined && got.size !== desc.size)
      throw new ImageFormatError(`blob ${desc.digest} is ${got.size} bytes, its descriptor says ${desc.size}`);
    await keepBlob(tmp, desc.digest);
  } finally {
    await fsp.rm(tmp, { force: true });
  }
}
