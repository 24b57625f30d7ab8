#!/usr/bin/env node
// Prints the folder of a Debian 12 minbase image as an OCI layout, for the builder's tests
// and the examples:
//   node scripts/build-debian-minbase.mjs          -> /var/cache/stack-test/debian-minbase
//   node scripts/build-debian-minbase.mjs --include redis-server --name debian-redis
//                                                  -> /var/cache/stack-test/debian-redis
// `debootstrap --variant=minbase bookworm` fetches it from Debian's archive once (the only
// network this needs); the layout is a cache outside the repo (STACK_TEST_CACHE, default
// /var/cache/stack-test), like scripts/vm/kernel.sh caches its kernel, so later runs and the
// tests (which serve it from their local registry) never touch the network.
// The layer is packed deterministically (sorted names, fixed times, numeric owners), without
// what a rootfs has only because debootstrap ran on this host: device nodes in /dev, the
// host's resolv.conf and hostname, apt's package lists and caches.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const SUITE = 'bookworm';
const MIRROR = process.env.STACK_DEBIAN_MIRROR ?? 'http://deb.debian.org/debian';
const MTIME = '2024-01-01T00:00:00Z';
const EXCLUDES = ['./dev/*', './proc/*', './sys/*', './etc/resolv.conf', './etc/hostname'];
const EXCLUDES_CONTENT = ['./var/lib/apt/lists/*', './var/cache/apt/*', './var/log/*', './tmp/*'];

const argv = process.argv.slice(2);
const option = (name) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : undefined);
/** Extra packages debootstrap installs (`--include`, comma-separated). */
const INCLUDE = option('--include');
const cache = path.join(process.env.STACK_TEST_CACHE ?? '/var/cache/stack-test', option('--name') ?? 'debian-minbase');
const sha256 = (buf) => `sha256:${createHash('sha256').update(buf).digest('hex')}`;

function writeBlob(dir, data, mediaType) {
  const digest = sha256(data);
  fs.writeFileSync(path.join(dir, 'blobs', 'sha256', digest.slice(7)), data);
  return { mediaType, digest, size: data.length };
}

function pack(rootfs, out) {
  const excludes = [...EXCLUDES, ...EXCLUDES_CONTENT].map((e) => `--exclude=${e}`);
  const tarArgs = ['--sort=name', `--mtime=${MTIME}`, '--numeric-owner', '--format=posix'];
  const pax = '--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime';
  execFileSync('tar', [...tarArgs, pax, ...excludes, '-C', rootfs, '-cf', out, '.']);
}

function writeLayout(dir, rawTar) {
  fs.mkdirSync(path.join(dir, 'blobs', 'sha256'), { recursive: true });
  const raw = fs.readFileSync(rawTar);
  const gz = execFileSync('gzip', ['-n', '-6', '-c', rawTar], { maxBuffer: 1 << 30 });
  const layer = writeBlob(dir, gz, 'application/vnd.oci.image.layer.v1.tar+gzip');
  const config = {
    created: MTIME,
    architecture: execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim(),
    os: 'linux',
    config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['bash'] },
    rootfs: { type: 'layers', diff_ids: [sha256(raw)] },
    history: [
      { created: MTIME, created_by: `debootstrap --variant=minbase${INCLUDE ? ` --include=${INCLUDE}` : ''} ${SUITE}` },
    ],
  };
  const configDesc = writeBlob(dir, Buffer.from(JSON.stringify(config)), 'application/vnd.oci.image.config.v1+json');
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: configDesc,
    layers: [layer],
  };
  const manifestDesc = writeBlob(dir, Buffer.from(JSON.stringify(manifest)), manifest.mediaType);
  const index = { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [manifestDesc] };
  fs.writeFileSync(path.join(dir, 'index.json'), JSON.stringify(index));
  fs.writeFileSync(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
}

function build() {
  fs.mkdirSync(path.dirname(cache), { recursive: true });
  const work = fs.mkdtempSync(path.join(path.dirname(cache), `.${path.basename(cache)}-`));
  try {
    process.stderr.write(`debootstrap --variant=minbase ${SUITE} from ${MIRROR} (once; cached in ${cache})\n`);
    const rootfs = path.join(work, 'rootfs');
    const include = INCLUDE ? [`--include=${INCLUDE}`] : [];
    execFileSync('debootstrap', ['--variant=minbase', ...include, SUITE, rootfs, MIRROR], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    pack(rootfs, path.join(work, 'layer.tar'));
    writeLayout(path.join(work, 'layout'), path.join(work, 'layer.tar'));
    fs.rmSync(cache, { recursive: true, force: true });
    fs.renameSync(path.join(work, 'layout'), cache);
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

try {
  if (!fs.existsSync(path.join(cache, 'index.json'))) build();
  process.stdout.write(`${cache}\n`);
} catch (err) {
  process.stderr.write(`build-debian-minbase: ${err.message}\n`);
  process.exit(1);
}
