#!/usr/bin/env node
// A first `up -d` of the reference stack (bench/stacks/five), two or more builds against each
// other, interleaved, timed by their STACK_TRACE marks (store/trace-marks.ts) rather than from
// outside: spans of the supervisor's apply (its observe under the allocation lock, with its
// CPU; its first container start → the last wiring, →
// the apply's end; the apply request → its end, with the supervisor's CPU over it) and of the
// whole command (bin/stack spawned → `cli: up done`). Medians per build, and for each later
// build the median of its per-round differences from the first and how often it was lower:
// on a shared machine the paired figures resolve what the medians alone do not.
//   nice -n -15 node bench/up-trace-ab.mjs [--runs=N] REPO_A REPO_B ...   (each REPO built; needs root)
// Each build gets its own STACK_ROOT with the busybox image; a first round warms the caches
// and is not counted. BENCH_UPAB_TAG (letters) keeps the projects of sessions apart.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repo as thisRepo } from './lib/stack-bench-env.mjs';
import { upBuildRoot } from './lib/up-build-root.mjs';
import { summary, fmt } from './lib/stats.mjs';

const args = process.argv.slice(2);
const runs = Number(args.find((a) => a.startsWith('--runs='))?.slice('--runs='.length) ?? 15);
const repos = args.filter((a) => !a.startsWith('--')).map((r) => path.resolve(r));
if (repos.length < 2) throw new Error('usage: node bench/up-trace-ab.mjs [--runs=N] REPO_A REPO_B ...');
const file = path.join(thisRepo, 'bench/stacks/five/stack.yaml');
const tag = process.env.BENCH_UPAB_TAG ?? '';

/** The spans of one traced run: marks are `ms pid cpu label` lines. */
function spans(trace, spawnedMs) {
  const marks = trace
    .trim()
    .split('\n')
    .map((l) => {
      const [ms, pid, cpu, ...label] = l.split(' ');
      return { ms: Number(ms), cpu: Number(cpu), label: label.join(' ') };
    });
  const first = (test) => marks.find((m) => test(m.label));
  const last = (test) => marks.findLast((m) => test(m.label));
  const start = first((l) => /^exe: start:\S+ start$/.test(l));
  const wired = last((l) => /^exe: \S+ wired$/.test(l));
  const request = first((l) => l === 'sup: apply request');
  const done = first((l) => l === 'sup: apply done');
  const cliDone = first((l) => l === 'cli: up done');
  const locked = first((l) => l === 'sup: allocation locked');
  const observed = first((l) => l === 'sup: observed');
  return {
    'allocation locked → observed': observed.ms - locked.ms,
    'supervisor CPU, locked → observed': observed.cpu - locked.cpu,
    'first start → last wired': wired.ms - start.ms,
    'first start → apply done': done.ms - start.ms,
    'apply request → apply done': done.ms - request.ms,
    'supervisor CPU, request → done': done.cpu - request.cpu,
    'bin/stack spawned → cli: up done': cliDone.ms - spawnedMs,
  };
}

const builds = repos.map((repo, i) => ({
  repo,
  ...upBuildRoot(repo, `uptrace${i}`),
  project: `buptrace${tag}${i}`,
  runs: [],
}));

const stack = (b, more, env = b.env) => {
  const r = spawnSync(b.bin, ['-f', file, '-p', b.project, ...more], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${b.bin} ${more.join(' ')} failed:\n${r.stderr}`);
};

try {
  for (let round = 0; round <= runs; round++) {
    for (const b of round % 2 ? builds : [...builds].reverse()) {
      const trace = path.join(b.root, 'trace');
      fs.rmSync(trace, { force: true });
      const spawnedMs = performance.timeOrigin + performance.now();
      stack(b, ['up', '-d'], { ...b.env, STACK_TRACE: trace });
      if (round > 0) b.runs.push(spans(fs.readFileSync(trace, 'utf8'), spawnedMs));
      stack(b, ['down', '-t', '0']);
    }
  }
  console.log(
    `up -d of bench/stacks/five by its trace marks, ${runs} interleaved runs, load average ${os.loadavg()[0].toFixed(1)}\n`,
  );
  const keys = Object.keys(builds[0].runs[0]);
  const [base, ...others] = builds;
  console.log(`| span | ${builds.map((b) => b.repo).join(' | ')} |\n| --- |${' ---: |'.repeat(builds.length)}`);
  for (const k of keys) {
    const cells = builds.map((b) => {
      const median = fmt(summary(b.runs.map((r) => r[k])).median);
      if (b === base) return `${median} ms`;
      const diffs = b.runs.map((r, i) => r[k] - base.runs[i][k]);
      const lower = diffs.filter((d) => d < 0).length;
      return `${median} ms (${fmt(summary(diffs).median)}; lower in ${lower}/${diffs.length})`;
    });
    console.log(`| ${k} | ${cells.join(' | ')} |`);
  }
  if (others.length > 0) console.log('\n(in brackets: the median of the per-round differences from the first build)');
} finally {
  for (const b of builds) {
    spawnSync(b.bin, ['-f', file, '-p', b.project, 'down', '-t', '0'], { env: b.env });
    spawnSync(b.bin, ['image', 'prune', '-a'], { env: b.env });
    fs.rmSync(b.root, { recursive: true, force: true });
  }
}
