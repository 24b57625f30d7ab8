#!/usr/bin/env node
// Times `stack up -d` (until the command returns, and until the published port answers)
// and `stack down` on examples/hello, in a private STACK_ROOT. Prints a Markdown table of
// medians. Usage: node bench/hello-up-down.mjs [RUNS]   (after `npm run build`)

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 5);
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-bench-'));
const env = { ...process.env, STACK_ROOT: path.join(root, 'lib'), STACK_RUN: path.join(root, 'run') };
const file = path.join(repo, 'examples/hello/stack.yaml');
const stack = (...args) => {
  const r = spawnSync(path.join(repo, 'bin/stack'), [...args], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`stack ${args.join(' ')} failed:\n${r.stderr}`);
};

async function portAnswers(deadlineMs) {
  const until = performance.now() + deadlineMs;
  while (performance.now() < until) {
    try {
      const res = await fetch('http://127.0.0.1:8080/', { signal: AbortSignal.timeout(500) });
      if (res.ok) return true;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  return false;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
try {
  spawnSync(process.execPath, [
    path.join(repo, 'scripts/build-busybox-image.mjs'),
    path.join(root, 'oci'),
    '--tag',
    'stack.local/busybox:latest',
  ]);
  stack('image', 'import', path.join(root, 'oci'), '--tag', 'stack.local/busybox:latest');
  const up = [],
    ready = [],
    down = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    stack('-f', file, 'up', '-d');
    up.push(performance.now() - t0);
    if (!(await portAnswers(5000))) throw new Error('published port 8080 did not answer');
    ready.push(performance.now() - t0);
    const t1 = performance.now();
    stack('-f', file, 'down');
    down.push(performance.now() - t1);
  }
  const fmt = (xs) => `${median(xs).toFixed(0)} | ${Math.min(...xs).toFixed(0)} | ${Math.max(...xs).toFixed(0)}`;
  console.log(
    `examples/hello, ${runs} runs, ${os.cpus().length} cores, ${os.release()}, ${new Date().toISOString().slice(0, 10)}\n`,
  );
  console.log('| step | median ms | min ms | max ms |\n| --- | --- | --- | --- |');
  console.log(`| up -d (command returns) | ${fmt(up)} |`);
  console.log(`| up -d until 127.0.0.1:8080 answers | ${fmt(ready)} |`);
  console.log(`| down | ${fmt(down)} |`);
} finally {
  spawnSync(path.join(repo, 'bin/stack'), ['-f', file, 'down', '-t', '0'], { env });
  fs.rmSync(root, { recursive: true, force: true });
}
