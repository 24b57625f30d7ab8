#!/usr/bin/env node
// No-op `stack up -d` on a running 5-service stack: the whole command (node start, load,
// lock, supervisor round trip with observe + reconcile, nothing to apply), timed from
// outside. Target: ≤ 150 ms median. Prints a Markdown table, writes
// bench/results/noop-up.json. Usage: node bench/noop-up.mjs [RUNS=15]  (after npm run build)

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { summary, fmt } from './lib/stats.mjs';
import { benchEnv, fiveServices, hostInfo, writeResult } from './lib/stack-bench-env.mjs';
import { childrenCpuMs } from './lib/children-cpu.mjs';

const runs = Number(process.argv[2] ?? 15);
const b = benchEnv('noop');
const project = 'bnoop';
const file = path.join(b.root, 'stack.yaml');
try {
  fs.writeFileSync(file, fiveServices(project, 18931));
  b.stack('-f', file, 'up', '-d');
  const samples = [];
  const cpu0 = childrenCpuMs();
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = b.stack('-f', file, 'up', '-d');
    samples.push(performance.now() - t0);
    if (!/is up to date/.test(r.stderr)) throw new Error(`up was not a no-op:\n${r.stderr}`);
  }
  // The CLI's own CPU (user + system), per run: the supervisor's is not in it.
  const cliCpuMs = (childrenCpuMs() - cpu0) / runs;
  const s = summary(samples);
  console.log(`no-op up -d, running 5-service stack, ${runs} runs, ${hostInfo()}\n`);
  console.log('| measurement | median ms | min ms | max ms | target |\n| --- | ---: | ---: | ---: | --- |');
  console.log(
    `| no-op \`up -d\` (process start included) | ${fmt(s.median)} | ${fmt(s.min)} | ${fmt(s.max)} | ≤ 150 ms |`,
  );
  console.log(
    `\nCPU of the CLI process (user + system), mean per run: ${fmt(cliCpuMs)} ms; load average ${os.loadavg()[0].toFixed(1)}`,
  );
  writeResult('noop-up', { host: hostInfo(), runs, ms: s, samples, cliCpuMs, loadavg: os.loadavg()[0] });
} finally {
  try {
    b.stack('-f', file, 'down', '-t', '0');
  } finally {
    b.dispose();
  }
}
