#!/usr/bin/env node
// Builds an OCI image layout folder from the host's static busybox, for tests and examples:
//   node scripts/build-busybox-image.mjs OUTDIR [--tag NAME] [--page TEXT] [--healthcheck JSON] [--stop-signal SIG]
// --healthcheck sets the config's HEALTHCHECK, in docker's form: {"Test":["CMD-SHELL","…"],"Interval":NS,…};
// --stop-signal its StopSignal (docker's STOPSIGNAL), as written.
// Deterministic: fixed times and owners, sorted entries, so two runs give the same digests.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import zlib from 'node:zlib';
import tar from 'tar-stream';

const BUSYBOX = '/bin/busybox';
const MTIME = new Date('2024-01-01T00:00:00Z');
const INSTALL_HINT = 'install busybox-static (apt-get install busybox-static)';
const ARCH = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

/** True when the ELF file has no PT_INTERP program header (needs no dynamic loader). */
function isStaticElf(buf) {
  if (buf.length < 64 || buf.readUInt32BE(0) !== 0x7f454c46 || buf[4] !== 2) return false; // ELF64 only
  const le = buf[5] === 1;
  const u16 = (o) => (le ? buf.readUInt16LE(o) : buf.readUInt16BE(o));
  const u32 = (o) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const phoff = Number(le ? buf.readBigUInt64LE(32) : buf.readBigUInt64BE(32));
  const phentsize = u16(54);
  for (let i = 0; i < u16(56); i++) if (u32(phoff + i * phentsize) === 3) return false;
  return true;
}

function layerEntries(busybox, applets, page) {
  const dir = (name, mode = 0o755) => ({ name, type: 'directory', mode });
  const file = (name, body, mode = 0o644) => ({ name, type: 'file', mode, body: Buffer.from(body) });
  const entries = [
    dir('bin'),
    file('bin/busybox', busybox, 0o755),
    ...applets.map((a) => ({ name: `bin/${a}`, type: 'symlink', mode: 0o777, linkname: 'busybox' })),
    dir('dev'),
    dir('etc'),
    file('etc/group', 'root:x:0:\nnobody:x:65534:\n'),
    file('etc/hosts', ''),
    file('etc/passwd', 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n'),
    dir('proc', 0o555),
    dir('root', 0o700),
    dir('sys', 0o555),
    dir('tmp', 0o1777),
    dir('usr'),
    dir('usr/bin'),
    dir('usr/sbin'),
    dir('www'),
    file('www/index.html', page.endsWith('\n') ? page : `${page}\n`),
  ];
  // Parents before children, then byte order: compare path components.
  const key = (e) => e.name.split('/');
  return entries.sort((a, b) => {
    const x = key(a),
      y = key(b);
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
    return x.length - y.length;
  });
}

async function packTar(entries) {
  const pack = tar.pack();
  const chunks = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(c);
  })();
  for (const { body, ...h } of entries) {
    const header = {
      ...h,
      name: h.type === 'directory' ? `${h.name}/` : h.name,
      uid: 0,
      gid: 0,
      uname: 'root',
      gname: 'root',
      mtime: MTIME,
    };
    await new Promise((resolve, reject) => pack.entry(header, body ?? null, (err) => (err ? reject(err) : resolve())));
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

const sha256 = (buf) => `sha256:${createHash('sha256').update(buf).digest('hex')}`;

function writeBlob(outDir, data) {
  const digest = sha256(data);
  fs.writeFileSync(path.join(outDir, 'blobs', 'sha256', digest.slice(7)), data);
  return { digest, size: data.length };
}

/** Writes the layout; returns { tag, manifest digest, config digest, layer digest }. `healthcheck` goes into the config as is. */
export async function buildBusyboxImage(
  outDir,
  { tag = 'stack.local/busybox:latest', page = 'hello from stack', healthcheck, stopSignal } = {},
) {
  let busybox;
  try {
    busybox = fs.readFileSync(BUSYBOX);
  } catch {
    throw new Error(`${BUSYBOX} not found: ${INSTALL_HINT}`);
  }
  if (!isStaticElf(busybox))
    throw new Error(`${BUSYBOX} is dynamically linked and would not run in an empty rootfs: ${INSTALL_HINT}`);
  const list = execFileSync(BUSYBOX, ['--list'], { encoding: 'utf8' });
  const applets = [
    ...new Set(
      list
        .split('\n')
        .map((s) => s.trim())
        .filter((s) => /^[\w.[-]+$/.test(s) && s !== 'busybox'),
    ),
  ].sort();

  const rawTar = await packTar(layerEntries(busybox, applets, page));
  const gz = zlib.gzipSync(rawTar, { level: 9 });
  fs.mkdirSync(path.join(outDir, 'blobs', 'sha256'), { recursive: true });
  const layer = writeBlob(outDir, gz);
  const config = {
    created: MTIME.toISOString(),
    architecture: ARCH[process.arch] ?? process.arch,
    os: 'linux',
    config: {
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      Cmd: ['sh'],
      ...(healthcheck === undefined ? {} : { Healthcheck: healthcheck }),
      ...(stopSignal === undefined ? {} : { StopSignal: stopSignal }),
    },
    rootfs: { type: 'layers', diff_ids: [sha256(rawTar)] },
    history: [{ created: MTIME.toISOString(), created_by: 'scripts/build-busybox-image.mjs' }],
  };
  const configDesc = writeBlob(outDir, Buffer.from(JSON.stringify(config)));
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...configDesc },
    layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
  };
  const manifestDesc = writeBlob(outDir, Buffer.from(JSON.stringify(manifest)));
  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [
      { mediaType: manifest.mediaType, ...manifestDesc, annotations: { 'org.opencontainers.image.ref.name': tag } },
    ],
  };
  fs.writeFileSync(path.join(outDir, 'index.json'), JSON.stringify(index, null, 2) + '\n');
  fs.writeFileSync(path.join(outDir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }) + '\n');
  return { tag, manifest: manifestDesc.digest, config: configDesc.digest, layer: layer.digest };
}

function parseArgs(argv) {
  const opts = {};
  let outDir;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--tag' || a === '--page' || a === '--healthcheck' || a === '--stop-signal') {
      if (i + 1 >= argv.length) throw usage(`${a} needs a value`);
      const key = a === '--stop-signal' ? 'stopSignal' : a.slice(2);
      opts[key] = a === '--healthcheck' ? parseJsonArg(a, argv[++i]) : argv[++i];
    } else if (a === '-h' || a === '--help') {
      throw usage();
    } else if (a.startsWith('-') || outDir !== undefined) {
      throw usage(`unexpected argument ${a}`);
    } else {
      outDir = a;
    }
  }
  if (outDir === undefined) throw usage('OUTDIR is missing');
  return { outDir, opts };
}

function parseJsonArg(name, text) {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw usage(`${name} takes JSON: ${err.message}`);
  }
}

function usage(why) {
  const err = new Error(
    `${why ? `${why}\n` : ''}usage: node scripts/build-busybox-image.mjs OUTDIR [--tag NAME] [--page TEXT] [--healthcheck JSON] [--stop-signal SIG]`,
  );
  err.exitCode = 2;
  return err;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  try {
    const { outDir, opts } = parseArgs(process.argv.slice(2));
    const r = await buildBusyboxImage(outDir, opts);
    process.stdout.write(`${outDir}: ${r.tag} manifest ${r.manifest}\n`);
  } catch (err) {
    process.stderr.write(`build-busybox-image: ${err.message}\n`);
    process.exit(err.exitCode ?? 1);
  }
}
