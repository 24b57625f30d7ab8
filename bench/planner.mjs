#!/usr/bin/env node
// Planner speed: `stack config` on a typical 10-service file (wall time of the real CLI,
// process start included), and `plan` on generated stacks of 100 and 1000 services: the
// pure part in-process (load + reconcile against an empty host with the image present) and
// the CLI `stack plan` wall time (which also observes the host, read-only, in a private
// STACK_ROOT/STACK_RUN with the locally built busybox test image imported).
// Prints a Markdown table of median, min and max over RUNS runs (default 15).
// Targets: config < 150 ms wall; plan of 1000 services < 300 ms.
// Usage: node bench/planner.mjs [RUNS]   (after `npm run build`)

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Math.max(10, Number(process.argv[2] ?? 15));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-bench-planner-'));
const env = { ...process.env, STACK_ROOT: path.join(dir, 'lib'), STACK_RUN: path.join(dir, 'run') };
const IMAGE = 'stack.local/busybox:latest';

const TYPICAL = `
name: shop
x-env: &env
  LOG_LEVEL: info
  TZ: UTC
services:
  proxy:
    image: ${IMAGE}
    ports: ["8080:80", "8443:443"]
    depends_on: [web, api]
    networks: [front]
  web:
    image: ${IMAGE}
    command: ["httpd", "-f", "-p", "3000"]
    environment: *env
    depends_on: {api: {condition: service_healthy}}
    networks: [front]
  api:
    image: ${IMAGE}
    environment: {<<: *env, DB_URL: "postgres://db/shop"}
    healthcheck: {test: ["CMD", "true"], interval: 5s, retries: 3}
    depends_on: {db: {condition: service_healthy}, cache: {condition: service_started}}
    networks: [front, back]
    deploy: {resources: {limits: {memory: 256m, cpus: "0.5"}}}
  worker:
    image: ${IMAGE}
    command: sh -c 'while true; do sleep 1; done'
    environment: *env
    depends_on: [db, cache, queue]
    networks: [back]
    scale: 2
  scheduler:
    image: ${IMAGE}
    depends_on: [queue]
    networks: [back]
  db:
    image: ${IMAGE}
    volumes: ["db:/var/lib/db"]
    healthcheck: {test: "true"}
    networks: [back]
  cache:
    image: ${IMAGE}
    tmpfs: ["/data:size=64m"]
    networks: [back]
  queue:
    image: ${IMAGE}
    volumes: ["queue:/var/lib/queue"]
    networks: [back]
  mail:
    image: ${IMAGE}
    ports: ["1025:1025"]
    networks: [back]
  docs:
    image: ${IMAGE}
    volumes: ["./docs:/srv:ro"]
    networks: [front]
networks:
  front: {}
  back: {}
volumes:
  db: {}
  queue: {}
`;

/** N services in chains of 10 (each depends on the one before), on one /16 network. */
function generated(n) {
  const lines = ['name: gen', 'services:'];
  for (let i = 0; i < n; i++) {
    lines.push(`  s${i}:`, `    image: ${IMAGE}`, `    environment: {INDEX: "${i}"}`, '    networks: [net]');
    if (i % 10 !== 0) lines.push(`    depends_on: [s${i - 1}]`);
  }
  lines.push('networks:', '  net:', '    ipam: {config: [{subnet: 10.201.0.0/16}]}');
  return `${lines.join('\n')}\n`;
}

const write = (name, text) => {
  const p = path.join(dir, name, 'stack.yaml');
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
};

function cli(...args) {
  const t0 = performance.now();
  const r = spawnSync(path.join(repo, 'bin/stack'), [...args], { env, encoding: 'utf8', maxBuffer: 1 << 28 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`stack ${args.join(' ')} failed:\n${r.stderr}`);
  return ms;
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
};
const repeat = (fn) => {
  fn(); // warm-up (page cache, JIT), not counted
  return stats(Array.from({ length: runs }, fn));
};

try {
  const imported = spawnSync(
    process.execPath,
    [path.join(repo, 'scripts/build-busybox-image.mjs'), path.join(dir, 'oci'), '--tag', IMAGE],
    { encoding: 'utf8' },
  );
  if (imported.status !== 0) throw new Error(`building the test image failed:\n${imported.stderr}`);
  cli('image', 'import', path.join(dir, 'oci'), '--tag', IMAGE);

  const { loadStack } = await import(pathToFileURL(path.join(repo, 'dist/planner/load/load.js')).href);
  const { reconcile } = await import(pathToFileURL(path.join(repo, 'dist/planner/plan/reconcile.js')).href);
  const { emptyObserved } = await import(pathToFileURL(path.join(repo, 'dist/model/observed.js')).href);
  const { normalizeImageRef } = await import(pathToFileURL(path.join(repo, 'dist/model/image-ref.js')).href);
  const image = {
    ref: normalizeImageRef(IMAGE),
    id: 'sha256:bench',
    layers: ['sha256:layer'],
    env: ['PATH=/bin'],
    cmd: ['sh'],
  };

  const rows = [];
  const typical = write('typical', TYPICAL);
  rows.push([
    '`stack config`, 10 services (CLI wall, incl. process start)',
    repeat(() => cli('-f', typical, 'config')),
    150,
  ]);
  for (const n of [100, 1000]) {
    const file = write(`gen${n}`, generated(n));
    const text = fs.readFileSync(file, 'utf8');
    const inProcess = () => {
      const t0 = performance.now();
      const stack = loadStack({ files: [{ path: file, text }], projectDir: path.dirname(file), env: {} });
      reconcile(stack, { ...emptyObserved(stack.project), images: [image] });
      return performance.now() - t0;
    };
    rows.push([`plan, ${n} services: load + reconcile (in-process)`, repeat(inProcess), n === 1000 ? 300 : undefined]);
    rows.push([
      `\`stack plan\`, ${n} services (CLI wall, incl. process start and observe)`,
      repeat(() => cli('-f', file, 'plan')),
      n === 1000 ? 300 : undefined,
    ]);
  }

  const f = (x) => x.toFixed(1);
  console.log(`Planner (${runs} runs each, after one warm-up; ms)\n`);
  console.log('| what | median | min | max | target |');
  console.log('|---|---:|---:|---:|---|');
  for (const [what, s, target] of rows) {
    const verdict =
      target === undefined
        ? ''
        : s.median < target
          ? `< ${target} ✓`
          : `< ${target} ✗ (missed by ${f(s.median - target)})`;
    console.log(`| ${what} | ${f(s.median)} | ${f(s.min)} | ${f(s.max)} | ${verdict} |`);
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
