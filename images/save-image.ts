// `stack image save REF… -o FILE`: the images as an OCI image layout in a tar (an "OCI
// archive", as `docker save` writes one): `oci-layout`, `index.json` naming each image by
// its reference (the `org.opencontainers.image.ref.name` annotation, which `stack image
// import`, skopeo's oci-archive: and `podman load` read), and every kept blob once under
// blobs/sha256. The archive is written beside FILE and renamed onto it when whole.

import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import { paths } from '../store/paths.js';
import { keptImage, type KeptImage } from './kept-image.js';

const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const REF_NAME = 'org.opencontainers.image.ref.name';
/** containerd's (and docker's) name annotation; `docker load` of an OCI archive reads it. */
const CONTAINERD_NAME = 'io.containerd.image.name';
/** Entries get a fixed time, so saving the same images twice gives the same bytes. */
const MTIME = new Date(0);

export class ImageSaveError extends Error {
  constructor(out: string, why: string) {
    super(`cannot write the archive ${out}: ${why}; choose another -o FILE`);
    this.name = 'ImageSaveError';
  }
}

export interface Saved {
  refs: string[];
  blobs: number;
}

export async function saveImages(refs: string[], out: string): Promise<Saved> {
  const images: KeptImage[] = [];
  for (const ref of refs) images.push(await keptImage(ref, 'save'));
  const index = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: images.map((i) => ({
      mediaType: i.manifest.mediaType,
      digest: i.manifest.digest,
      size: i.manifest.size,
      annotations: { [REF_NAME]: i.info.ref, [CONTAINERD_NAME]: i.info.ref },
    })),
  };
  const blobs = new Map<string, number>();
  for (const i of images)
    for (const b of [{ digest: i.manifest.digest, size: i.manifest.size }, i.config, ...i.layers])
      blobs.set(b.digest, b.size);

  const dir = path.dirname(path.resolve(out));
  if (!(await fsp.stat(dir).catch(() => null))?.isDirectory())
    throw new ImageSaveError(out, `the folder ${dir} does not exist`);
  if ((await fsp.stat(out).catch(() => null))?.isDirectory()) throw new ImageSaveError(out, 'it is a folder');
  const tmp = path.join(dir, `.${path.basename(out)}.${randomBytes(4).toString('hex')}.tmp`);
  const pack = tar.pack();
  const written = pipeline(pack, fs.createWriteStream(tmp, { flags: 'wx', mode: 0o644 }));
  try {
    await entry(pack, 'oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })));
    await entry(pack, 'index.json', Buffer.from(JSON.stringify(index)));
    await entry(pack, 'blobs/', undefined);
    await entry(pack, 'blobs/sha256/', undefined);
    for (const [digest, size] of blobs) await blobEntry(pack, digest, size);
    pack.finalize();
    await written;
    await fsp.rename(tmp, out);
  } catch (err) {
    pack.destroy(err as Error);
    await written.catch(() => undefined);
    await fsp.rm(tmp, { force: true });
    throw err;
  }
  return { refs: images.map((i) => i.info.ref), blobs: blobs.size };
}

function entry(pack: tar.Pack, name: string, body: Buffer | undefined): Promise<void> {
  const header = body
    ? { name, size: body.length, mode: 0o644, mtime: MTIME }
    : { name, type: 'directory' as const, mode: 0o755, mtime: MTIME };
  return new Promise((resolve, reject) =>
    pack.entry(header, body ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve())),
  );
}

function blobEntry(pack: tar.Pack, digest: string, size: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const sink = pack.entry({ name: `blobs/sha256/${digest.slice(7)}`, size, mode: 0o644, mtime: MTIME }, (err) =>
      err ? reject(err) : resolve(),
    );
    fs.createReadStream(paths.blobFile(digest))
      .on('error', (err) => sink.destroy(err))
      .pipe(sink);
  });
}
