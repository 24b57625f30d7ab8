#!/usr/bin/env node
// The supervisor's observe (executor/host/linux/observe.ts observeStack), two builds against
// each other: each round starts one Node process per build, interleaved, that observes a
// project with no records (as a first `up` finds it) --observes times in a row in an empty
// STACK_ROOT: the first (cold: ES modules, no code cache, so more than the bundled
// supervisor's) and the median of the rest but the first five (warm), wall and CPU. Medians
// over rounds, and the median of the per-round differences of the warm wall time.
//   nice -n -15 node bench/observe-ab.mjs [--runs=N] [--observes=M] REPO_A REPO_B   (each REPO built; needs root)

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { privateRoot } from './lib/stack-bench-env.mjs';
import { summary, fmt } from './lib/stats.mjs';

const args = process.argv.slice(2);
const option = (name, fallback) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);

if (args[0] === '--child') {
  // One process of one build: its observes, as JSON on stdout.
  const [repo, n] = [args[1], Number(args[2])];
  const { observeStack } = await import(path.join(repo, 'dist/executor/host/linux/observe.js'));
  const out = { wall: [], cpu: [] };
  for (let i = 0; i < n; i++) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    await observeStack('benchobserve', { publishedPorts: [{ protocol: 'tcp', port: 18080 }] });
    out.wall.push(performance.now() - start);
    const used = process.cpuUsage(cpu);
    out.cpu.push((used.user + used.system) / 1000);
  }
  console.log(JSON.stringify(out));
} else {
  const runs = option('runs', 16);
  const observes = option('observes', 30);
  const repos = args.filter((a) => !a.startsWith('--')).map((r) => path.resolve(r));
  if (repos.length !== 2) throw new Error('usage: node bench/observe-ab.mjs [--runs=N] [--observes=M] REPO_A REPO_B');
  const { root, env } = privateRoot('observe-ab');
  delete env.NODE_EXTRA_CA_CERTS; // ~50 ms per node start, nothing to do with observe
  const median = (xs) => summary(xs).median;
  const results = repos.map(() => ({ first: [], firstCpu: [], warm: [], warmCpu: [] }));
  try {
    for (let round = 0; round < runs; round++) {
      for (const i of round % 2 ? [0, 1] : [1, 0]) {
        const child = [process.argv[1], '--child', repos[i], String(observes)];
        const o = JSON.parse(execFileSync(process.execPath, child, { env, encoding: 'utf8' }));
        results[i].first.push(o.wall[0]);
        results[i].firstCpu.push(o.cpu[0]);
        results[i].warm.push(median(o.wall.slice(5)));
        results[i].warmCpu.push(median(o.cpu.slice(5)));
      }
    }
  } finally {
    fs.rmSync(root, { recursive: true, force: true });
  }
  console.log(`observe of a project with no records, ${runs} interleaved rounds of ${observes}\n`);
  console.log(`| | ${repos.join(' | ')} |\n| --- | ---: | ---: |`);
  for (const k of ['first', 'firstCpu', 'warm', 'warmCpu'])
    console.log(`| ${k} | ${results.map((r) => `${fmt(median(r[k]))} ms`).join(' | ')} |`);
  const diffs = results[1].warm.map((w, i) => w - results[0].warm[i]);
  const lower = diffs.filter((d) => d < 0).length;
  console.log(`\nwarm wall time, per-round difference: median ${fmt(median(diffs))} ms, lower in ${lower}/${runs}`);
}
