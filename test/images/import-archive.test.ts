import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import tar from 'tar-stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { importImage } from '../../images/import-image.js';
import { listImages } from '../../images/image-store.js';
import { blobTmpDir } from '../../images/blob-download.js';
import { paths } from '../../store/paths.js';
import { blobPath, buildBusybox, type Layout } from './oci-layouts.js';

let tmp: string;
let layoutDir: string;
let built: Layout;
const savedRoot = process.env.STACK_ROOT;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-archive-'));
  layoutDir = path.join(tmp, 'layout');
  built = buildBusybox(layoutDir, 'from an archive');
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeEach(() => {
  process.env.STACK_ROOT = fs.mkdtempSync(path.join(tmp, 'root-'));
});
afterEach(() => {
  if (savedRoot === undefined) delete process.env.STACK_ROOT;
  else process.env.STACK_ROOT = savedRoot;
});

type Item = { name: string; body?: Buffer; type?: 'file' | 'symlink' | 'directory'; linkname?: string };
async function writeTar(file: string, items: Item[]): Promise<void> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  for (const { body, ...h } of items) {
    await new Promise<void>((resolve, reject) => pack.entry({ ...h }, body ?? '', (e) => (e ? reject(e) : resolve())));
  }
  pack.finalize();
  await done;
  fs.writeFileSync(file, Buffer.concat(chunks));
}

/** A `docker save` archive of the busybox image: legacy layer folder linking to the blob, as docker 25 writes it. */
async function dockerSave(
  file: string,
  repoTags: string[],
  config = fs.readFileSync(blobPath(layoutDir, built.manifest.config.digest)),
): Promise<void> {
  const layer = built.manifest.layers[0]!;
  const rawLayer = zlib.gunzipSync(fs.readFileSync(blobPath(layoutDir, layer.digest)));
  const configHex = createHash('sha256').update(config).digest('hex');
  const layerHex = built.config.rootfs.diff_ids[0]!.slice(7);
  await writeTar(file, [
    {
      name: 'manifest.json',
      body: Buffer.from(
        JSON.stringify([
          { Config: `blobs/sha256/${configHex}`, RepoTags: repoTags, Layers: [`${'e'.repeat(64)}/layer.tar`] },
        ]),
      ),
    },
    { name: `blobs/sha256/${configHex}`, body: config },
    { name: `blobs/sha256/${layerHex}`, body: rawLayer },
    { name: `${'e'.repeat(64)}/layer.tar`, type: 'symlink', linkname: `../blobs/sha256/${layerHex}` },
    { name: 'repositories', body: Buffer.from('{}') },
  ]);
}

describe('image import of archives', () => {
  it('imports a tar of an OCI layout, gzip-compressed too', async () => {
    const archive = path.join(tmp, 'oci.tar');
    execFileSync('tar', ['-C', layoutDir, '-cf', archive, '.']);
    const info = await importImage(archive, { tag: 'stk.test/oci:1' });
    expect(info.id).toBe(built.manifest.config.digest);
    expect(fs.readFileSync(path.join(paths.layerDir(info.layers[0]!), 'www/index.html'), 'utf8')).toBe(
      'from an archive\n',
    );
    fs.writeFileSync(`${archive}.gz`, zlib.gzipSync(fs.readFileSync(archive)));
    expect((await importImage(`${archive}.gz`, { tag: 'stk.test/oci:2' })).id).toBe(built.manifest.config.digest);
    expect(fs.readdirSync(blobTmpDir()).filter((n) => n.startsWith('import-'))).toEqual([]);
  });

  it('imports a docker save archive under its RepoTag, following its layer link, checking diff_ids', async () => {
    const archive = path.join(tmp, 'saved.tar');
    await dockerSave(archive, ['stk.test/saved:3']);
    const info = await importImage(archive);
    expect(info.ref).toBe('stk.test/saved:3');
    expect(info.id).toBe(built.manifest.config.digest);
    expect(info.layers).toEqual(built.config.rootfs.diff_ids); // uncompressed: the key is the diff_id
    // No registry manifest in such an archive: an OCI manifest over the kept config and layer tar.
    const manifest = JSON.parse(fs.readFileSync(paths.blobFile(info.manifest!), 'utf8'));
    expect(manifest.config.digest).toBe(info.id);
    expect(manifest.layers).toEqual([
      {
        mediaType: 'application/vnd.oci.image.layer.v1.tar',
        digest: info.layers[0],
        size: fs.statSync(paths.blobFile(info.layers[0]!)).size,
      },
    ]);
    expect(fs.existsSync(paths.blobFile(info.id))).toBe(true);
    expect(fs.readFileSync(path.join(paths.layerDir(info.layers[0]!), 'www/index.html'), 'utf8')).toBe(
      'from an archive\n',
    );
    expect(info.cmd).toEqual(['sh']);
  });

  it('rejects a docker save archive whose config names another diff_id for a layer already stored, and stores nothing', async () => {
    const good = path.join(tmp, 'good.tar');
    await dockerSave(good, ['stk.test/good:1']);
    const stored = await importImage(good);
    const forgedDiffId = `sha256:${'f'.repeat(64)}`;
    const forgedConfig = Buffer.from(
      JSON.stringify({ ...built.config, rootfs: { type: 'layers', diff_ids: [forgedDiffId] } }),
    );
    const forged = path.join(tmp, 'forged.tar');
    await dockerSave(forged, ['stk.test/forged:1'], forgedConfig);
    await expect(importImage(forged)).rejects.toThrow(
      `layer ${stored.layers[0]} is stored with content digest ${stored.layers[0]}, but the config's diff_id for it is ${forgedDiffId}`,
    );
    expect((await listImages()).map((i) => i.ref)).toEqual(['stk.test/good:1']);
  });

  it('a docker save archive without RepoTags needs --tag', async () => {
    const archive = path.join(tmp, 'untagged.tar');
    await dockerSave(archive, []);
    await expect(importImage(archive)).rejects.toThrow(/has no RepoTags; give it a name with --tag/);
    expect((await importImage(archive, { tag: 'stk.test/named:1' })).ref).toBe('stk.test/named:1');
  });

  it('refuses an archive entry that leaves the archive, and stores nothing', async () => {
    const archive = path.join(tmp, 'evil.tar');
    await writeTar(archive, [
      { name: '../../escaped', body: Buffer.from('x') },
      { name: 'index.json', body: Buffer.from('{}') },
    ]);
    await expect(importImage(archive)).rejects.toThrow(/points outside the archive/);
    expect(fs.existsSync(path.join(tmp, 'escaped'))).toBe(false);
    expect(await listImages()).toEqual([]);
    expect(fs.readdirSync(blobTmpDir())).toEqual([]);
  });

  it('says what it expected from a tar that is no image', async () => {
    const archive = path.join(tmp, 'other.tar');
    await writeTar(archive, [{ name: 'hello.txt', body: Buffer.from('hi') }]);
    await expect(importImage(archive)).rejects.toThrow(
      /neither a docker save archive \(manifest\.json\) nor an OCI layout \(index\.json\)/,
    );
  });
});
