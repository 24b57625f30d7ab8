#!/usr/bin/env node
// `npm run bench`: stack against the peers that are installed, on this machine, with the
// same busybox image, in one run; prints one Markdown table (median, min, max, ratio to
// stack) and writes it as JSON under bench/results/.
//   node bench/run.mjs [--install-peers] [--quick] [--only oneshot,five,scale,watch,planner,build,rootless]
// (rootless, issue 22, runs only when named: it makes and removes an ordinary user.)
// Needs root and `npm run build`. Peers that are missing are reported as absent. What the
// harness starts (dockerd and its containerd) it stops by pid; what peers change on the
// host (nftables tables, the FORWARD policy, bridges, netns, cgroups, ip_forward) it restores.

import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDockerd, stopDockerd, dockerCli } from './lib/docker-daemon.mjs';
import { buildLayout, dockerArchive, IMAGE } from './lib/images.mjs';
import { restoreHost, snapshotHost } from './lib/host-guard.mjs';
import { detectPeers, installPeers, versions } from './lib/peers.mjs';
import { cleanupPodman, podmanEnv } from './lib/podman-env.mjs';
import { quiet, timed } from './lib/run.mjs';
import { markdownTable } from './lib/stats.mjs';
import { five } from './sections/five.mjs';
import { oneshot } from './sections/oneshot.mjs';
import { planner } from './sections/planner.mjs';
import { scale } from './sections/scale.mjs';
import { watch } from './sections/watch.mjs';
import { build } from './sections/build.mjs';
import { rootless, rootlessMargins } from './sections/rootless.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyArg = args[args.indexOf('--only') + 1];
const only = args.includes('--only') ? onlyArg.split(',') : ['oneshot', 'five', 'scale', 'watch', 'planner', 'build'];
const log = (m) => process.stderr.write(`bench: ${m}\n`);

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** This process's hard limits: peers must not ask for more (CAP_SYS_RESOURCE is absent). */
function hardLimits() {
  const limits = fs.readFileSync('/proc/self/limits', 'utf8');
  const hard = (name, fallback) => {
    const v = new RegExp(`Max ${name}\\s+\\S+\\s+(\\S+)`).exec(limits)?.[1];
    return v && v !== 'unlimited' ? Number(v) : fallback;
  };
  return { nofile: hard('open files', 20000), nproc: hard('processes', 4194304) };
}

function machine() {
  const osRelease = /PRETTY_NAME="([^"]+)"/.exec(fs.readFileSync('/etc/os-release', 'utf8'))?.[1] ?? 'Linux';
  return `${osRelease}, kernel ${os.release()}, ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}

async function main() {
  if (process.getuid?.() !== 0) throw new Error('the bench needs root (containers, cgroups, nftables)');
  if (args.includes('--install-peers')) installPeers(log);
  const present = detectPeers();
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-bench-'));
  const stackEnv = { ...process.env, STACK_ROOT: path.join(root, 'lib'), STACK_RUN: path.join(root, 'run') };
  const ctx = {
    repo,
    root,
    present,
    log,
    freePort,
    stackEnv,
    stackBin: path.join(repo, 'bin/stack'),
    marker: path.basename(root),
    runs: quick
      ? { oneshot: 5, five: 2, scale: 1, watch: 3, planner: 3, build: 2, rootless: 2 }
      : { oneshot: 30, five: 7, scale: 3, watch: 10, planner: 10, build: 5, rootless: 7 },
    sizes: quick ? [1, 10] : [1, 10, 50],
    hard: hardLimits(),
  };
  const before = snapshotHost();
  const rows = [];
  try {
    log('building the busybox image');
    ctx.layout = await buildLayout(path.join(root, 'oci'));
    timed(ctx.stackBin, ['image', 'import', ctx.layout, '--tag', IMAGE], { env: stackEnv });
    const archive = await dockerArchive(ctx.layout, path.join(root, 'busybox-docker.tar'));
    ctx.archive = archive;
    // The rootless section has no docker peer (docker's rootless mode is not installed here).
    if (present.docker && only.some((s) => s !== 'rootless')) {
      log('starting a private dockerd');
      ctx.docker = await startDockerd(root);
      timed(dockerCli(), ['load', '-i', archive], { env: ctx.docker.env });
    }
    if (present.podman) {
      ctx.podman = podmanEnv(root, ctx.hard);
      timed('podman', ['load', '-i', archive], { env: ctx.podman.env });
    }
    const sections = { oneshot, five, scale, watch, planner, build, rootless };
    for (const name of only) {
      log(`section ${name}`);
      const got = await sections[name](ctx);
      for (const r of got.filter((x) => x.error)) log(`${r.tool}, ${r.measurement}: ${r.error}`);
      rows.push(...got);
    }
  } finally {
    if (ctx.podman) cleanupPodman(ctx.podman);
    if (ctx.docker) await stopDockerd(ctx.docker);
    const restored = restoreHost(before);
    if (restored.length) log(`restored on the host: ${restored.join(', ')}`);
    quiet('sh', ['-c', `umount -R ${root}/* 2>/dev/null; true`]);
    fs.rmSync(root, { recursive: true, force: true });
  }
  const date = new Date().toISOString();
  const header = `stack vs peers, ${date.slice(0, 10)}, ${machine()}`;
  const table = markdownTable(rows);
  process.stdout.write(`${header}\n\n${table}\n`);
  if (only.includes('rootless')) process.stdout.write(`\n${rootlessMargins(rows)}\n`);
  const out = path.join(repo, 'bench/results');
  fs.mkdirSync(out, { recursive: true });
  const result = { date, machine: machine(), versions: versions(), quick, rows };
  const name = only.join() === 'rootless' ? 'rootless.json' : 'peers-latest.json';
  fs.writeFileSync(path.join(out, name), `${JSON.stringify(result, null, 2)}\n`);
  log(`results written to bench/results/${name}`);
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e.stack ?? e}\n`);
  process.exit(1);
});
