// Push and save send a stored image exactly as it is kept: pushed to the local
// docker-registry (anonymous and behind htpasswd) and pulled back into a fresh store, saved
// as an OCI archive and imported into a fresh store, the image keeps its id and manifest
// digest; skopeo reads the archive. A record from before blobs were kept is refused with
// the fix in the message.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildImage } from '../../images/build/build-image.js';
import { findImage, saveImage } from '../../images/image-store.js';
import { importImage } from '../../images/import-image.js';
import { importOciLayout } from '../../images/import-oci-layout.js';
import { ImageNotKeptError } from '../../images/kept-image.js';
import { pullImage } from '../../images/pull-image.js';
import { pushImage, type PushEvent } from '../../images/push-image.js';
import { saveImages } from '../../images/save-image.js';
import type { ImageInfo } from '../../model/observed.js';
import { paths } from '../../store/paths.js';
import { buildBusybox, type Layout } from './oci-layouts.js';
import { startRegistry, type Registry } from './registry-fixture.js';
import { startTokenServer, type TokenServer } from './token-server.js';
import { buildRequest } from '../support/build-request.js';

let tmp: string;
let registry: Registry;
let layout: string;
let built: Layout;
const saved = {
  root: process.env.STACK_ROOT,
  auth: process.env.STACK_REGISTRY_AUTH,
  docker: process.env.DOCKER_CONFIG,
};

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-push-'));
  registry = await startRegistry(path.join(tmp, 'registry'));
  layout = path.join(tmp, 'layout');
  built = buildBusybox(layout, 'pushed by stack');
});
afterAll(async () => {
  await registry?.stop();
  fs.rmSync(tmp, { recursive: true, force: true });
});
beforeEach(() => {
  freshRoot();
  process.env.DOCKER_CONFIG = fs.mkdtempSync(path.join(tmp, 'docker-')); // never the real ~/.docker
  delete process.env.STACK_REGISTRY_AUTH;
});
afterEach(() => {
  for (const [name, value] of [
    ['STACK_ROOT', saved.root],
    ['STACK_REGISTRY_AUTH', saved.auth],
    ['DOCKER_CONFIG', saved.docker],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

function freshRoot(): void {
  process.env.STACK_ROOT = fs.mkdtempSync(path.join(tmp, 'root-'));
}

/** The image stored under a new name, as `docker tag` would. */
async function tagged(info: ImageInfo, ref: string): Promise<ImageInfo> {
  return saveImage({ ...info, ref });
}

describe('push', () => {
  it('pushes an imported image; a fresh store pulls it back with the same id and manifest; a second push sends no blob', async () => {
    const ref = `${registry.host}/pushed/busybox:1`;
    await tagged(await importOciLayout(layout, { tag: 'stk.test/local:1' }), ref);
    const events: PushEvent[] = [];
    const pushed = await pushImage(ref, { onEvent: (e) => events.push(e) });
    expect(pushed.digest).toBe(built.manifestDesc.digest);
    expect(events.filter((e) => e.type === 'blob-pushed').map((e) => e.digest)).toEqual(
      expect.arrayContaining([built.manifest.config.digest, built.manifest.layers[0]!.digest]),
    );

    const again: PushEvent[] = [];
    await pushImage(ref, { onEvent: (e) => again.push(e) });
    expect(again.map((e) => e.type)).toEqual(['blob-exists', 'blob-exists']);

    freshRoot();
    const pulled = await pullImage(ref);
    expect(pulled.id).toBe(built.manifest.config.digest);
    expect(pulled.manifest).toBe(built.manifestDesc.digest);
    expect(fs.readFileSync(path.join(paths.layerDir(pulled.layers[0]!), 'www/index.html'), 'utf8')).toBe(
      'pushed by stack\n',
    );
  });

  it('pushes a built image whose base was imported, base layer included, and it pulls back whole', async () => {
    await importOciLayout(layout, { tag: 'stk.test/base:1' });
    const ctx = fs.mkdtempSync(path.join(tmp, 'ctx-'));
    fs.writeFileSync(path.join(ctx, 'Dockerfile'), 'FROM stk.test/base:1\nCOPY page.html /www/index.html\n');
    fs.writeFileSync(path.join(ctx, 'page.html'), 'built, pushed, pulled\n');
    const ref = `${registry.host}/built/app:1`;
    const image = await buildImage(buildRequest(ctx, ref), {
      runner: { run: () => Promise.reject(new Error('no RUN in this Dockerfile')), end: async () => {} },
      events: { stepStarted: () => {}, stepOutput: () => {}, stepDone: () => {} },
      baseImage: async (r) => (await findImage(r))!,
    });
    const pushed = await pushImage(ref);
    expect(pushed.digest).toBe(image.manifest);

    freshRoot();
    const pulled = await pullImage(ref);
    expect(pulled.id).toBe(image.id);
    expect(pulled.layers).toEqual(image.layers);
    expect(fs.readFileSync(path.join(paths.layerDir(pulled.layers[1]!), 'www/index.html'), 'utf8')).toBe(
      'built, pushed, pulled\n',
    );
  });

  it('pushes a pulled Docker schema 2 image back byte for byte (same manifest digest), and saves it', async () => {
    const v2s2 = path.join(tmp, 'v2s2');
    buildBusybox(v2s2, 'docker schema 2');
    await registry.push(v2s2, 'v2s2/busybox:1', undefined, 'v2s2');
    const pulled = await pullImage(`${registry.host}/v2s2/busybox:1`);
    const ref = `${registry.host}/v2s2/again:1`;
    await tagged(pulled, ref);
    expect((await pushImage(ref)).digest).toBe(pulled.manifest);
    const res = await fetch(`http://${registry.host}/v2/v2s2/again/manifests/1`, {
      headers: { Accept: 'application/vnd.docker.distribution.manifest.v2+json' },
    });
    expect(res.headers.get('content-type')).toBe('application/vnd.docker.distribution.manifest.v2+json');
    const archive = path.join(tmp, 'v2s2.tar');
    await saveImages([ref], archive);
    const inspect = JSON.parse(execFileSync('skopeo', ['inspect', `oci-archive:${archive}`], { encoding: 'utf8' })) as {
      Digest: string;
    };
    expect(inspect.Digest).toBe(pulled.manifest);
  });

  it('refuses an image recorded before blobs were kept, saying to pull it again; save names a missing -o folder', async () => {
    const info = await importOciLayout(layout, { tag: 'stk.test/old:1' });
    const { manifest: _, ...old } = info;
    await saveImage(old);
    await expect(pushImage('stk.test/old:1')).rejects.toThrow(ImageNotKeptError);
    await expect(pushImage('stk.test/old:1')).rejects.toThrow(
      /cannot push image stk\.test\/old:1: it was stored before stack kept image blobs.*pull it again \(`stack image pull stk\.test\/old:1`\)/,
    );
    await expect(saveImages(['stk.test/old:1'], path.join(tmp, 'old.tar'))).rejects.toThrow(/cannot save image/);
    expect(fs.existsSync(path.join(tmp, 'old.tar'))).toBe(false);
    await importOciLayout(layout, { tag: 'stk.test/new:1' });
    await expect(saveImages(['stk.test/new:1'], path.join(tmp, 'no-such-folder', 'a.tar'))).rejects.toThrow(
      `cannot write the archive ${path.join(tmp, 'no-such-folder', 'a.tar')}: the folder ${path.join(tmp, 'no-such-folder')} does not exist; choose another -o FILE`,
    );
  });
});

describe('push with basic auth (registry htpasswd)', () => {
  const user = { username: 'stk-pusher', password: 'p4ss:word' };
  let secured: Registry;
  beforeAll(async () => {
    secured = await startRegistry(path.join(tmp, 'basic'), { basic: user });
  });
  afterAll(async () => secured?.stop());

  it('is refused anonymously with the fix, and pushes with the credentials pull uses', async () => {
    const ref = `${secured.host}/private/busybox:1`;
    await importOciLayout(layout, { tag: ref });
    await expect(pushImage(ref)).rejects.toThrow(/requires a login; give credentials in STACK_REGISTRY_AUTH/);
    process.env.STACK_REGISTRY_AUTH = JSON.stringify({
      auths: { [secured.host]: { username: user.username, password: user.password } },
    });
    expect((await pushImage(ref)).digest).toBe(built.manifestDesc.digest);
    freshRoot();
    expect((await pullImage(ref)).id).toBe(built.manifest.config.digest);
  });
});

describe('push with bearer token auth (registry auth.token + a token service)', () => {
  const user = { username: 'stk-pusher', password: 't0ken:pass' };
  let secured: Registry;
  let tokens: TokenServer;
  beforeAll(async () => {
    tokens = await startTokenServer(path.join(tmp, 'tokens'), user);
    secured = await startRegistry(path.join(tmp, 'token'), { token: tokens });
  });
  afterAll(async () => {
    await secured?.stop();
    await tokens?.stop();
  });

  it('gets a token for pulling at the first HEAD, one for pushing at the first write, and pushes', async () => {
    const ref = `${secured.host}/private/busybox:1`;
    await importOciLayout(layout, { tag: ref });
    process.env.STACK_REGISTRY_AUTH = JSON.stringify({
      auths: { [secured.host]: { username: user.username, password: user.password } },
    });
    expect((await pushImage(ref)).digest).toBe(built.manifestDesc.digest);
    freshRoot();
    expect((await pullImage(ref)).manifest).toBe(built.manifestDesc.digest);
  });
});

describe('image save', () => {
  it('writes an OCI archive that a fresh store imports as the same image, and skopeo reads', async () => {
    const first = await importOciLayout(layout, { tag: 'stk.test/saved:1' });
    const other = await importOciLayout(buildOther(), { tag: 'stk.test/other:2' });
    const archive = path.join(tmp, 'saved.tar');
    const result = await saveImages(['stk.test/saved:1', 'stk.test/other:2'], archive);
    expect(result.refs).toEqual(['stk.test/saved:1', 'stk.test/other:2']);

    freshRoot();
    const back = await importImage(archive, { tag: 'stk.test/saved:1' });
    expect(back.id).toBe(first.id);
    expect(back.manifest).toBe(first.manifest);
    expect((await importImage(archive, { tag: 'stk.test/other:2' })).id).toBe(other.id);

    const inspect = JSON.parse(
      execFileSync('skopeo', ['inspect', `oci-archive:${archive}:stk.test/saved:1`], { encoding: 'utf8' }),
    ) as { Digest: string; Layers: string[] };
    expect(inspect.Digest).toBe(first.manifest);
    expect(inspect.Layers).toEqual(first.layers);

    // skopeo copies it, podman loads it (into a store of its own under the test's folder).
    const copy = path.join(tmp, 'skopeo-copy');
    execFileSync('skopeo', ['copy', `oci-archive:${archive}:stk.test/other:2`, `oci:${copy}:other`]);
    expect(JSON.parse(fs.readFileSync(path.join(copy, 'index.json'), 'utf8')).manifests[0].digest).toBe(other.manifest);
    // podman loads an archive of one image (one of several it refuses: "more than one image in oci").
    const single = path.join(tmp, 'single.tar');
    await saveImages(['stk.test/other:2'], single); // as imported from the first archive
    const podman = path.join(tmp, 'podman');
    const store = ['--root', `${podman}/root`, '--runroot', `${podman}/run`, '--tmpdir', `${podman}/tmp`];
    const loaded = execFileSync('podman', [...store, '--storage-driver', 'vfs', 'load', '-i', single], {
      encoding: 'utf8',
    });
    expect(loaded).toContain('Loaded image: stk.test/other:2');
    const inspected = JSON.parse(
      execFileSync('podman', [...store, '--storage-driver', 'vfs', 'image', 'inspect', 'stk.test/other:2'], {
        encoding: 'utf8',
      }),
    ) as Array<{ Id: string }>;
    expect(`sha256:${inspected[0]!.Id}`).toBe(other.id);
  });
});

function buildOther(): string {
  const dir = path.join(tmp, 'other');
  if (!fs.existsSync(dir)) buildBusybox(dir, 'the other image');
  return dir;
}
