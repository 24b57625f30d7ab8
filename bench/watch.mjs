#!/usr/bin/env node
// `stack watch` latency: from writing an env change of one service of a running 5-service
// stack to the watcher saying it applied it (debounce quiet time included, 100 ms by
// default). The target is ≤ 300 ms plus that container's start, so the table also shows
// the container.start time the progress line reports and the difference.
// Prints a Markdown table, writes bench/results/watch.json.
// Usage: node bench/watch.mjs [RUNS=10]  (after npm run build)

import fs from 'node:fs';
import path from 'node:path';
import { summary, fmt } from './lib/stats.mjs';
import { benchEnv, fiveServices, hostInfo, writeResult } from './lib/stack-bench-env.mjs';

const runs = Number(process.argv[2] ?? 10);
const b = benchEnv('watch');
const project = 'bwatch';
const file = path.join(b.root, 'stack.yaml');
const port = 18932;

function waitFor(read, pattern, from, ms = 20_000) {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + ms;
    const tick = () => {
      const m = pattern.exec(read().slice(from));
      if (m) return resolve(m);
      if (Date.now() > deadline) return reject(new Error(`timed out waiting for ${pattern}:\n${read().slice(from)}`));
      setTimeout(tick, 1);
    };
    tick();
  });
}

let watcher;
try {
  fs.writeFileSync(file, fiveServices(project, port));
  b.stack('-f', file, 'up', '-d');
  watcher = b.start('-f', file, 'watch');
  let err = '';
  watcher.stderr.on('data', (d) => (err += d.toString()));
  await waitFor(() => err, /watch: watching/, 0);
  const total = [],
    start = [],
    rest = [];
  for (let i = 0; i < runs; i++) {
    const from = err.length;
    const t0 = performance.now();
    fs.writeFileSync(file, fiveServices(project, port, `m${i}`));
    await waitFor(() => err, /watch: applied/, from);
    const ms = performance.now() - t0;
    const started = /✔ container\.start \S+ \((\d+) ms\)/.exec(err.slice(from));
    total.push(ms);
    if (started) {
      start.push(Number(started[1]));
      rest.push(ms - Number(started[1]));
    }
  }
  const row = (name, xs) => {
    const s = summary(xs);
    return `| ${name} | ${fmt(s.median)} | ${fmt(s.min)} | ${fmt(s.max)} |`;
  };
  console.log(`stack watch, env change of one service of a running 5-service stack, ${runs} runs, ${hostInfo()}\n`);
  console.log('| measurement | median ms | min ms | max ms |\n| --- | ---: | ---: | ---: |');
  console.log(row('edit written → "applied" printed', total));
  console.log(row('of which container.start (progress line)', start));
  console.log(row('the rest (debounce 100 ms, load, lock, plan, remove old, …); target ≤ 300', rest));
  writeResult('watch', {
    host: hostInfo(),
    runs,
    editToApplied: summary(total),
    containerStart: summary(start),
    rest: summary(rest),
    samples: total,
  });
} finally {
  watcher?.kill('SIGINT');
  try {
    b.stack('-f', file, 'down', '-t', '0');
  } finally {
    b.dispose();
  }
}
