#!/usr/bin/env node
// Network cost: per container (veth pair + address + routes through rtnetlink, median of 20
// attach operations through the host layer), per nftables change (a stack table with 20
// published ports, two networks, median of 20 applies through libnftables), and `up -d` /
// `down` of a 20-container stack on two networks (DNS names, masquerade, isolation).
// Prints a Markdown table and writes bench/results/network.json.
// Usage: node bench/network.mjs [UP_RUNS]   (as root, after `npm run build`)
// Every host object is named stkn… / stk_n…, lives in namespaces this script made, and is
// removed at the end; no packet leaves the host.

import { spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { createLinuxNetworks } = await import(path.join(repo, 'dist/executor/host/linux/network.js'));
const { createLinuxNat } = await import(path.join(repo, 'dist/executor/host/linux/nat.js'));

const RUNS = 20;
const upRuns = Number(process.argv[2] ?? 3);
const tag = `stkn${randomBytes(3).toString('hex')}`;
const table = `stk_n${tag.slice(4)}`;
const x = randomInt(0, 256);
const subnet = `10.214.${x}.0/24`;
const gateway = `10.214.${x}.1`;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (n) => Math.round(n * 100) / 100;

const networks = createLinuxNetworks();
const nat = createLinuxNat();
const sleepers = [];

async function netnsProcess() {
  const child = spawn('unshare', ['--net', 'sleep', '120'], { stdio: 'ignore' });
  sleepers.push(child);
  const own = fs.readlinkSync('/proc/self/ns/net');
  for (let i = 0; i < 400; i++) {
    try {
      if (fs.readlinkSync(`/proc/${child.pid}/ns/net`) !== own) return child.pid;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('unshare --net did not enter a new netns');
}

async function hostLayer() {
  const bridge = `${tag}br`;
  const netSpec = { project: tag, key: 'default', name: `${tag}_default`, bridge, subnet, gateway, prefixLength: 24 };
  await networks.createBridge(netSpec);
  const attach = [];
  const detach = [];
  const natApply = [];
  const pids = [];
  for (let i = 0; i < RUNS; i++) pids.push(await netnsProcess());
  try {
    for (let i = 0; i < RUNS; i++) {
      const ep = {
        network: 'default',
        bridge,
        hostVeth: `${tag}v${i}`,
        ifname: 'eth0',
        ip: `10.214.${x}.${i + 2}`,
        prefixLength: 24,
        gateway,
        defaultRoute: true,
      };
      const t = performance.now();
      await networks.attach(pids[i], ep);
      attach.push(performance.now() - t);
    }
    const ports = Array.from({ length: 20 }, (_, i) => ({
      service: `s${i}`,
      container: `${tag}-s${i}-1`,
      protocol: 'tcp',
      hostPort: 40000 + i,
      containerIp: `10.214.${x}.${i + 2}`,
      containerPort: 80,
    }));
    const natNetworks = [
      { bridge, subnet, key: 'front' },
      { bridge: `${tag}b2`, subnet: `10.214.${(x + 1) % 256}.0/24`, key: 'back', internal: true },
    ];
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      await nat.apply({
        project: tag,
        table,
        hash: String(i),
        networks: natNetworks,
        ports: ports.map((p) => ({ ...p, hostPort: p.hostPort + (i % 2) })),
      });
      natApply.push(performance.now() - t);
    }
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      await networks.detach(`${tag}v${i}`);
      detach.push(performance.now() - t);
    }
  } finally {
    await nat.remove(table);
    for (let i = 0; i < RUNS; i++) await networks.detach(`${tag}v${i}`).catch(() => {});
    await networks.removeBridge(bridge);
    for (const s of sleepers) s.kill('SIGKILL');
  }
  return { attach: median(attach), detach: median(detach), natApply: median(natApply) };
}

function twentyContainerStack(root) {
  const env = { ...process.env, STACK_ROOT: path.join(root, 'lib'), STACK_RUN: path.join(root, 'run') };
  const stack = (...args) => {
    const r = spawnSync(path.join(repo, 'bin/stack'), [...args], { env, encoding: 'utf8', cwd: root });
    if (r.status !== 0) throw new Error(`stack ${args.join(' ')} failed:\n${r.stderr}`);
    return r;
  };
  spawnSync(process.execPath, [
    path.join(repo, 'scripts/build-busybox-image.mjs'),
    path.join(root, 'oci'),
    '--tag',
    'stack.local/busybox:latest',
  ]);
  stack('image', 'import', path.join(root, 'oci'), '--tag', 'stack.local/busybox:latest');
  const services = Array.from(
    { length: 10 },
    (_, i) => `  front${i}:
    image: stack.local/busybox:latest
    command: sleep 1000
    stop_grace_period: 0s
    networks: [front${i % 2 === 0 ? ', back' : ''}]
  back${i}:
    image: stack.local/busybox:latest
    command: sleep 1000
    stop_grace_period: 0s
    networks: [back]
`,
  ).join('');
  const file = path.join(root, 'stack.yaml');
  fs.writeFileSync(file, `name: ${tag}\nservices:\n${services}networks:\n  front: {}\n  back: { internal: true }\n`);
  const up = [];
  const down = [];
  try {
    for (let i = 0; i < upRuns; i++) {
      let t = performance.now();
      stack('-f', file, 'up', '-d');
      up.push(performance.now() - t);
      t = performance.now();
      stack('-f', file, 'down', '-t', '0');
      down.push(performance.now() - t);
    }
  } finally {
    spawnSync(path.join(repo, 'bin/stack'), ['-f', file, 'down', '-t', '0'], { env });
  }
  return { up: median(up), down: median(down) };
}

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-bench-net-'));
try {
  const host = await hostLayer();
  const whole = twentyContainerStack(root);
  const result = {
    date: new Date().toISOString(),
    kernel: os.release(),
    cores: os.cpus().length,
    runs: { hostLayer: RUNS, up: upRuns },
    ms: {
      attachPerContainer: round(host.attach),
      detachPerContainer: round(host.detach),
      nftChange: round(host.natApply),
      up20Containers2Networks: round(whole.up),
      down20Containers2Networks: round(whole.down),
    },
    targets: { attachPerContainer: 2, nftChange: 2 },
  };
  fs.mkdirSync(path.join(repo, 'bench/results'), { recursive: true });
  fs.writeFileSync(path.join(repo, 'bench/results/network.json'), JSON.stringify(result, null, 2) + '\n');
  console.log(`network, ${os.cpus().length} cores, ${os.release()}, ${result.date.slice(0, 10)}\n`);
  console.log('| what | median ms | target ms |\n| --- | --- | --- |');
  console.log(
    `| attach one container (veth, address, routes; median of ${RUNS}) | ${result.ms.attachPerContainer} | ≤ 2 |`,
  );
  console.log(`| detach one container (median of ${RUNS}) | ${result.ms.detachPerContainer} | |`);
  console.log(
    `| nftables change (table with 2 networks, 20 ports; median of ${RUNS}) | ${result.ms.nftChange} | ≤ 2 |`,
  );
  console.log(`| up -d, 20 containers on 2 networks (median of ${upRuns}) | ${result.ms.up20Containers2Networks} | |`);
  console.log(`| down, 20 containers on 2 networks (median of ${upRuns}) | ${result.ms.down20Containers2Networks} | |`);
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
