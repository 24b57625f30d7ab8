// The one image every tool runs: busybox-static as an OCI layout (scripts/
// build-busybox-image.mjs), imported into stack's store, and repacked as a `docker save`
// archive that docker and podman load — so every tool starts the very same bytes.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import tar from 'tar-stream';
import { buildBusyboxImage } from '../../scripts/build-busybox-image.mjs';

export const IMAGE = 'stack.local/busybox:latest';

export async function buildLayout(dir) {
  await buildBusyboxImage(dir, { tag: IMAGE });
  return dir;
}

function readBlob(layout, digest) {
  return fs.readFileSync(path.join(layout, 'blobs', 'sha256', digest.replace('sha256:', '')));
}

/** `docker save` format: manifest.json + config + uncompressed layer tars. */
export async function dockerArchive(layout, out) {
  const index = JSON.parse(fs.readFileSync(path.join(layout, 'index.json'), 'utf8'));
  const manifest = JSON.parse(readBlob(layout, index.manifests[0].digest).toString('utf8'));
  const configName = `${manifest.config.digest.replace('sha256:', '')}.json`;
  const pack = tar.pack();
  const done = new Promise((resolve, reject) => {
    const chunks = [];
    pack.on('data', (c) => chunks.push(c));
    pack.on('end', () => resolve(Buffer.concat(chunks)));
    pack.on('error', reject);
  });
  pack.entry({ name: configName }, readBlob(layout, manifest.config.digest));
  const layers = manifest.layers.map((l) => {
    const name = `${l.digest.replace('sha256:', '')}/layer.tar`;
    pack.entry({ name, size: undefined }, zlib.gunzipSync(readBlob(layout, l.digest)));
    return name;
  });
  pack.entry({ name: 'manifest.json' }, JSON.stringify([{ Config: configName, RepoTags: [IMAGE], Layers: layers }]));
  pack.finalize();
  fs.writeFileSync(out, await done);
  return out;
}

/** The layer unpacked into a plain folder: the rootfs of the runc/crun bundles. */
export function unpackRootfs(layout, dir) {
  const index = JSON.parse(fs.readFileSync(path.join(layout, 'index.json'), 'utf8'));
  const manifest = JSON.parse(readBlob(layout, index.manifests[0].digest).toString('utf8'));
  fs.mkdirSync(dir, { recursive: true });
  for (const l of manifest.layers) {
    const tarFile = path.join(dir, '..', 'layer.tar');
    fs.writeFileSync(tarFile, zlib.gunzipSync(readBlob(layout, l.digest)));
    const r = spawnSync('tar', ['-xf', tarFile, '-C', dir, '--no-same-owner']);
    if (r.status !== 0) throw new Error(`unpacking the rootfs failed: ${r.stderr}`);
    fs.rmSync(tarFile);
  }
  return dir;
}
