#!/usr/bin/env node
// develop.watch latency, edit to visible: from writing a file on the host until an HTTP
// request to the container (busybox httpd, published on 127.0.0.1) serves the new content.
//   sync          the file is copied into the running container (target ≤ 50 ms median)
//   sync+restart  copied, then the container restarts (≤ 300 ms; until "restarted" is printed too)
//   rebuild       a one-line change of the build context: build with the cache, replace (≤ 2 s)
// The quiet time that ends a burst (STACK_WATCH_DEVELOP_QUIET_MS, 20 ms) is included.
// docker compose watch is the peer when a compose v2 binary is here; the table says when not.
// Prints a Markdown table, writes bench/results/watch-latency.json.
// Usage: node bench/watch-latency.mjs [RUNS=10]  (after npm run build)

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { summary, fmt } from './lib/stats.mjs';
import { benchEnv, hostInfo, writeResult } from './lib/stack-bench-env.mjs';

const runs = Number(process.argv[2] ?? 10);
const IMAGE = 'stack.local/busybox:latest';
const b = benchEnv('wlat');
const src = (...p) => path.join(b.root, 'src', ...p);
const ports = { sync: 18941, restart: 18942, rebuild: 18943 };

const get = (port) =>
  new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/index.html', agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d)).on('end', () => resolve(body));
    });
    req.on('error', () => resolve(undefined));
    req.setTimeout(1000, () => req.destroy());
  });

async function until(check, ms = 30_000, what = 'condition') {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setImmediate(r)); // let the watcher's output in
  }
}

for (const d of ['sync', 'restart', 'rebuild']) fs.mkdirSync(src(d), { recursive: true });
for (const d of ['sync', 'restart', 'rebuild']) fs.writeFileSync(src(d, 'index.html'), 'start');
fs.writeFileSync(
  src('rebuild', 'Dockerfile'),
  `FROM ${IMAGE}\nCOPY index.html /www/index.html\nCMD ["httpd", "-f", "-p", "80", "-h", "/www"]\n`,
);
const web = (name, port, rule) => `  ${name}:
    image: ${IMAGE}
    command: httpd -f -p 80 -h /www
    ports: ["127.0.0.1:${port}:80"]
    develop:
      watch: [${rule}]
`;
const file = path.join(b.root, 'stack.yaml');
fs.writeFileSync(
  file,
  `name: bwlat
services:
${web('sync', ports.sync, '{ path: ./src/sync, action: sync, target: /www, initial_sync: true }')}${web('restart', ports.restart, '{ path: ./src/restart, action: sync+restart, target: /www, initial_sync: true }')}  rebuild:
    build: ./src/rebuild
    ports: ["127.0.0.1:${ports.rebuild}:80"]
    develop:
      watch: [{ path: ./src/rebuild, action: rebuild }]
`,
);

let watcher;
const results = {};
try {
  b.stack('-f', file, 'up', '-d');
  watcher = b.start('-f', file, 'watch');
  let err = '';
  watcher.stderr.on('data', (d) => (err += d.toString()));
  await until(() => err.includes('watching the sources'), 60_000, 'the watcher');
  for (const name of ['sync', 'restart']) await until(async () => (await get(ports[name])) === 'start');

  const measure = async (name, n, lineAfter) => {
    const samples = [];
    for (let i = 0; i < n; i++) {
      const text = `${name} ${i}`;
      const from = err.length;
      const t0 = performance.now();
      fs.writeFileSync(src(name, 'index.html'), text);
      await until(
        async () => (!lineAfter || err.slice(from).includes(lineAfter)) && (await get(ports[name])) === text,
        60_000,
        `${name} run ${i}:\n${err.slice(from)}`,
      );
      samples.push(performance.now() - t0);
      await new Promise((r) => setTimeout(r, 100)); // the watcher settles between runs
    }
    return samples;
  };
  results.sync = await measure('sync', runs);
  results.restart = await measure('restart', runs, 'restart: restarted');
  results.rebuild = await measure('rebuild', Math.max(3, Math.ceil(runs / 2)), 'rebuild: rebuilt');
} finally {
  watcher?.kill('SIGINT');
  try {
    b.stack('-f', file, 'down', '-t', '0');
  } finally {
    b.dispose();
  }
}

const compose = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
const peer =
  compose.status === 0
    ? `docker compose is here (${compose.stdout.trim()}) but this script does not drive it yet`
    : 'docker compose watch: could not be had (no compose v2 binary on this machine: `docker compose` is not installed, `docker-compose` neither)';

const targets = { sync: 50, restart: 300, rebuild: 2000 };
const label = { sync: 'sync', restart: 'sync+restart', rebuild: 'rebuild (one-line change)' };
console.log(`develop.watch, edit written → new content served over HTTP, ${hostInfo()}\n`);
console.log('| action | runs | median ms | min ms | max ms | target ms |\n| --- | ---: | ---: | ---: | ---: | ---: |');
for (const k of ['sync', 'restart', 'rebuild']) {
  const s = summary(results[k]);
  console.log(
    `| ${label[k]} | ${results[k].length} | ${fmt(s.median)} | ${fmt(s.min)} | ${fmt(s.max)} | ≤ ${targets[k]} |`,
  );
}
console.log(`\n${peer}`);
writeResult('watch-latency', {
  host: hostInfo(),
  sync: summary(results.sync),
  syncRestart: summary(results.restart),
  rebuild: summary(results.rebuild),
  peer,
  samples: results,
});
