// Downloads one blob into STACK_ROOT/images/tmp, checking its sha256 and size, and hands the
// verified file to a callback (which unpacks it); the file is removed afterwards. Partial
// downloads stay in tmp as `<hex>.partial`, so an interrupted pull resumes with a Range
// request where the registry allows it, and starts the blob over where it does not. They are
// never seen as a layer: only the unpacker's atomic rename makes one. A lock file per blob
// keeps two pulls (of any process) from writing the same partial at once.

import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { paths } from '../store/paths.js';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../store/private-files.js';
import { BlobDigestError, ImageFormatError, type Descriptor } from './manifest.js';
import type { RegistryClient } from './registry-client.js';
import { isAlive } from '../store/pid-alive.js';

export const blobTmpDir = (): string => path.join(paths.imagesDir(), 'tmp');
const LOCK_POLL_MS = 200;

/** In-process holders, since a pid check cannot tell two pulls of this process apart. */
const held = new Map<string, Promise<void>>();

async function lock(file: string): Promise<() => Promise<void>> {
  for (;;) {
    const mine = held.get(file);
    if (mine) {
      await mine;
      continue;
    }
    try {
      const fh = await fs.open(file, 'wx', PRIVATE_FILE_MODE);
      await fh.writeFile(String(process.pid));
      await fh.close();
      let release!: () => void;
      held.set(file, new Promise<void>((r) => (release = r)));
      return async () => {
        await fs.rm(file, { force: true });
        held.delete(file);
        release();
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const pid = Number(await fs.readFile(file, 'utf8').catch(() => ''));
    if (Number.isInteger(pid) && pid > 0 && isAlive(pid)) await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
    else await fs.rm(file, { force: true }); // left by a pull that died
  }
}

async function hashFile(file: string, hash: Hash): Promise<void> {
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
}

async function sizeOf(file: string): Promise<number> {
  return (await fs.stat(file).catch(() => null))?.size ?? 0;
}

/** Fetches the blob into `file`, resuming what is there; returns the sha256 of the whole. */
async function fetchInto(
  client: RegistryClient,
  desc: Descriptor,
  file: string,
  onBytes: (done: number) => void,
): Promise<string> {
  const hash = createHash('sha256');
  let offset = await sizeOf(file);
  if (desc.size !== undefined && offset > desc.size) {
    await fs.truncate(file, 0);
    offset = 0;
  }
  if (offset > 0) await hashFile(file, hash);
  onBytes(offset);
  if (desc.size !== undefined && offset === desc.size) return `sha256:${hash.digest('hex')}`;
  const { res, partial } = await client.blob(desc.digest, offset);
  let whole = hash;
  if (!partial && offset > 0) {
    whole = createHash('sha256'); // the registry sent the whole blob again
    offset = 0;
  }
  const out = await fs.open(file, partial ? 'a' : 'w', PRIVATE_FILE_MODE);
  try {
    for await (const chunk of res.body) {
      const buf = chunk as Buffer;
      offset += buf.length;
      if (desc.size !== undefined && offset > desc.size) {
        res.body.destroy();
        throw new ImageFormatError(
          `blob ${desc.digest} is longer than the ${desc.size} bytes its descriptor says (tampered or corrupt)`,
        );
      }
      await out.write(buf);
      whole.update(buf);
      onBytes(offset);
    }
  } finally {
    await out.close();
  }
  if (desc.size !== undefined && offset !== desc.size) {
    throw new ImageFormatError(`blob ${desc.digest} ended after ${offset} of ${desc.size} bytes; pull again to resume`);
  }
  return `sha256:${whole.digest('hex')}`;
}

/**
 * Downloads and verifies the blob `desc`, calls `use` with the file (which may move it), then removes it.
 * A blob whose digest does not match is deleted and nothing is handed on.
 */
export async function withBlob<T>(
  client: RegistryClient,
  desc: Descriptor,
  onBytes: (done: number) => void,
  use: (file: string) => Promise<T>,
): Promise<T> {
  const dir = blobTmpDir();
  await makePrivateDir(dir);
  const hex = desc.digest.slice('sha256:'.length);
  const file = path.join(dir, `${hex}.partial`);
  const release = await lock(path.join(dir, `${hex}.lock`));
  try {
    const actual = await fetchInto(client, desc, file, onBytes);
    if (actual !== desc.digest) {
      await fs.rm(file, { force: true });
      throw new BlobDigestError(`blob ${desc.digest} from the registry`, desc.digest, actual);
    }
    try {
      return await use(file);
    } finally {
      await fs.rm(file, { force: true }); // unless `use` moved it into the kept blobs
    }
  } finally {
    await release();
  }
}
