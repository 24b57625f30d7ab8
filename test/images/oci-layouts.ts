// OCI layouts for the pull and import tests, all made here from the busybox test image:
// the plain one, one with a zstd layer, and a two-platform index.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { repoRoot } from '../support/stack-cli.js';
import { packTar, type TarItem } from '../support/tar-pack.js';

export interface Desc {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string };
  annotations?: Record<string, string>;
}
export interface Layout {
  manifestDesc: Desc;
  manifest: { schemaVersion: 2; mediaType: string; config: Desc; layers: Desc[] };
  config: { architecture: string; os: string; rootfs: { diff_ids: string[] }; [k: string]: unknown };
}

const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
export const blobPath = (dir: string, digest: string) => path.join(dir, 'blobs', 'sha256', digest.slice(7));

export function buildBusybox(dir: string, page = 'hello from stack'): Layout {
  execFileSync(process.execPath, [path.join(repoRoot, 'scripts/build-busybox-image.mjs'), dir, '--page', page]);
  return readLayout(dir);
}

export function readLayout(dir: string): Layout {
  const index = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8')) as { manifests: Desc[] };
  const manifestDesc = index.manifests[0]!;
  const manifest = JSON.parse(fs.readFileSync(blobPath(dir, manifestDesc.digest), 'utf8')) as Layout['manifest'];
  const config = JSON.parse(fs.readFileSync(blobPath(dir, manifest.config.digest), 'utf8')) as Layout['config'];
  return { manifestDesc, manifest, config };
}

export function writeBlob(dir: string, data: Buffer, mediaType: string): Desc {
  fs.mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  const digest = sha256(data);
  fs.writeFileSync(blobPath(dir, digest), data);
  return { mediaType, digest, size: data.length };
}

function writeIndex(dir: string, top: Desc): void {
  fs.writeFileSync(
    path.join(dir, 'index.json'),
    JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: [top] }),
  );
  fs.writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
}

/** Writes config + manifest for `layers` into `dir`; returns the manifest's descriptor. */
function writeImage(dir: string, config: Layout['config'], layers: Desc[]): Desc {
  const configDesc = writeBlob(dir, Buffer.from(JSON.stringify(config)), 'application/vnd.oci.image.config.v1+json');
  const manifest = { schemaVersion: 2, mediaType: OCI_MANIFEST, config: configDesc, layers };
  return writeBlob(dir, Buffer.from(JSON.stringify(manifest)), OCI_MANIFEST);
}

/** The busybox image again, its layer compressed with zstd instead of gzip. */
export function buildZstdBusybox(dir: string): Layout {
  const src = buildBusybox(`${dir}.src`);
  const raw = zlib.gunzipSync(fs.readFileSync(blobPath(`${dir}.src`, src.manifest.layers[0]!.digest)));
  const layer = writeBlob(
    dir,
    execFileSync('zstd', ['-q', '-c'], { input: raw, maxBuffer: 64 << 20 }),
    'application/vnd.oci.image.layer.v1.tar+zstd',
  );
  writeIndex(dir, writeImage(dir, src.config, [layer]));
  fs.rmSync(`${dir}.src`, { recursive: true, force: true });
  return readLayout(dir);
}

/** An index with linux/amd64 (page "amd64") and linux/arm64 (page "arm64") images; returns both configs' digests. */
export function buildTwoPlatformIndex(dir: string): { amd64: string; arm64: string } {
  const ids: Record<string, string> = {};
  const entries: Desc[] = [];
  for (const arch of ['amd64', 'arm64']) {
    const part = buildBusybox(`${dir}.${arch}`, arch);
    const layer = part.manifest.layers[0]!;
    writeBlob(dir, fs.readFileSync(blobPath(`${dir}.${arch}`, layer.digest)), layer.mediaType);
    const desc = writeImage(dir, { ...part.config, architecture: arch }, [layer]);
    ids[arch] = JSON.parse(fs.readFileSync(blobPath(dir, desc.digest), 'utf8')).config.digest;
    entries.push({ ...desc, platform: { os: 'linux', architecture: arch } });
    fs.rmSync(`${dir}.${arch}`, { recursive: true, force: true });
  }
  const nested = writeBlob(
    dir,
    Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests: entries })),
    OCI_INDEX,
  );
  writeIndex(dir, nested);
  return { amd64: ids.amd64!, arm64: ids.arm64! };
}

/** The busybox image with one more layer on top that holds `items`; returns that layer's descriptor. */
export async function buildBusyboxWithLayer(dir: string, items: TarItem[]): Promise<Desc> {
  const base = buildBusybox(dir);
  const raw = await packTar(items);
  const layer = writeBlob(dir, zlib.gzipSync(raw), 'application/vnd.oci.image.layer.v1.tar+gzip');
  const config = {
    ...base.config,
    rootfs: { ...base.config.rootfs, diff_ids: [...base.config.rootfs.diff_ids, sha256(raw)] },
  };
  writeIndex(dir, writeImage(dir, config, [...base.manifest.layers, layer]));
  return layer;
}

/** The image in `srcDir` again with the same layer blob, its config naming `diffId` for that layer. */
export function buildWithDiffId(dir: string, srcDir: string, diffId: string): Layout {
  const src = readLayout(srcDir);
  const layer = src.manifest.layers[0]!;
  writeBlob(dir, fs.readFileSync(blobPath(srcDir, layer.digest)), layer.mediaType);
  writeIndex(dir, writeImage(dir, { ...src.config, rootfs: { ...src.config.rootfs, diff_ids: [diffId] } }, [layer]));
  return readLayout(dir);
}
