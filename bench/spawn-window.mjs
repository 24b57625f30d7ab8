#!/usr/bin/env node
// Five container-like spawns at once (the native stage's place taken by /bin/true: new mount,
// uts, ipc, net and pid namespaces, detached, two socket pairs for fds 3 and 4), through the
// namespace window on the calling thread (namespace-window.ts, as a CLI hosting its container
// spawns) and through the window on the threadpool (threadpool-window.ts, as a supervisor
// does), interleaved in one process of a built tree: how long the calling thread was held
// before it could go on, the wall time until all five have a pid, and the process's CPU
// (threadpool included), medians. Needs root and a tree built with a C compiler (dist/libstack-window.so):
//   nice -n -15 node bench/spawn-window.mjs [--rounds=N] [TREE]

import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repo } from './lib/stack-bench-env.mjs';

const args = process.argv.slice(2);
const rounds = Number(args.find((a) => a.startsWith('--rounds='))?.slice('--rounds='.length) ?? 21);
const tree = path.resolve(args.find((a) => !a.startsWith('--')) ?? repo);
const load = (file) => import(pathToFileURL(path.join(tree, 'dist/executor/host/linux', file)).href);
const { spawnContainerProcess, warmContainerStarts } = await load('threadpool-window.js');
const { spawnInNewNamespaces } = await load('namespace-window.js');

warmContainerStarts();
const opts = { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'], env: {}, detached: true };
const cpu = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};
const five = [0, 1, 2, 3, 4];
const paths = {
  'calling thread': async () => five.map(() => spawnInNewNamespaces('/bin/true', [], opts)),
  threadpool: () => Promise.all(five.map(() => spawnContainerProcess('/bin/true', [], opts))),
};
const results = Object.fromEntries(Object.keys(paths).map((k) => [k, { held: [], wall: [], cpu: [] }]));
// Two warm-up rounds, not counted; the order alternates.
for (let round = 0; round < rounds + 2; round++) {
  const order = round % 2 ? Object.keys(paths).reverse() : Object.keys(paths);
  for (const name of order) {
    const c0 = cpu();
    const t0 = performance.now();
    const pending = paths[name]();
    // What the calling thread spent before it could do anything else.
    const held = performance.now() - t0;
    const children = await pending;
    const wall = performance.now() - t0;
    const used = cpu() - c0;
    await Promise.all(children.map((c) => c.exited));
    for (const c of children) for (const p of c.pipes) p?.destroy();
    if (round >= 2) {
      results[name].held.push(held);
      results[name].wall.push(wall);
      results[name].cpu.push(used);
    }
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
console.log(`five spawns at once, ${rounds} interleaved rounds, ${tree}\n`);
console.log('| window on | calling thread held | wall until five pids | process CPU |\n| --- | ---: | ---: | ---: |');
for (const [name, r] of Object.entries(results))
  console.log(
    `| ${name} | ${median(r.held).toFixed(2)} ms | ${median(r.wall).toFixed(2)} ms | ${median(r.cpu).toFixed(2)} ms |`,
  );
