#!/usr/bin/env node
// A first `up -d` of the reference stack (bench/stacks/five), two or more builds of stack
// against each other, interleaved: wall time until the published port answers, the CLI's
// CPU (user + system), and the supervisor's CPU at that moment (all threads, and its main
// thread alone: work moved to or from its threadpool shows there). On a shared machine the
// CPU figures are the ones to compare; the wall time measures the other tenants as well.
//   node bench/up-ab.mjs [--runs=N] [--step=NAME] REPO_A REPO_B ...   (each REPO built; needs root)
// --step=NAME also traces each run (STACK_TRACE) and gives the medians of one executor step,
// from its `exe: NAME start` mark to its `exe: NAME done` (e.g. --step=nat): wall and the
// supervisor's CPU over that span.
// Each build gets its own STACK_ROOT with the busybox image; a first round warms the caches
// and is not counted.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { childrenCpuMs } from './lib/children-cpu.mjs';
import { sleep, waitForHttp } from './lib/run.mjs';
import { repo as thisRepo } from './lib/stack-bench-env.mjs';
import { upBuildRoot } from './lib/up-build-root.mjs';
import { summary, fmt } from './lib/stats.mjs';

const args = process.argv.slice(2);
const runs = Number(args.find((a) => a.startsWith('--runs='))?.slice('--runs='.length) ?? 9);
const step = args.find((a) => a.startsWith('--step='))?.slice('--step='.length);
const repos = args.filter((a) => !a.startsWith('--')).map((r) => path.resolve(r));
if (repos.length < 1) throw new Error('usage: node bench/up-ab.mjs [--runs=N] REPO_A REPO_B ...');
const file = path.join(thisRepo, 'bench/stacks/five/stack.yaml');

/**
 * CPU process `pid` used so far, ms, all its threads; NaN once it is gone. From schedstat
 * (ns): /proc/PID/stat counts 10 ms ticks, as coarse as the differences compared here.
 */
function processCpuMs(pid) {
  try {
    let ns = 0;
    for (const t of fs.readdirSync(`/proc/${pid}/task`))
      ns += Number(fs.readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
    return ns / 1e6;
  } catch {
    return NaN;
  }
}

/** CPU of process `pid`'s main thread so far, ms (work moved to its threadpool shows here). */
function mainThreadCpuMs(pid) {
  try {
    return Number(fs.readFileSync(`/proc/${pid}/task/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
  } catch {
    return NaN;
  }
}

/** The supervisor whose environment names `root` (each build's STACK_ROOT is its own). */
function supervisorIn(root) {
  for (const p of fs.readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const cmd = fs.readFileSync(`/proc/${p}/cmdline`, 'utf8');
      if (!cmd.includes('supervisor') || cmd.includes('stack-watchdog')) continue;
      if (fs.readFileSync(`/proc/${p}/environ`, 'utf8').includes(`STACK_ROOT=${root}/lib`)) return Number(p);
    } catch {
      // exited meanwhile
    }
  }
  return undefined;
}

// Sessions that bench at once on one host give each run its own projects (bridge and NAT
// table names come from the project) and ports: BENCH_UPAB_TAG (letters), BENCH_UPAB_PORT.
const tag = process.env.BENCH_UPAB_TAG ?? '';
const portBase = Number(process.env.BENCH_UPAB_PORT ?? 18700);

const builds = repos.map((repo, i) => {
  const { bin, env, root } = upBuildRoot(repo, `upab${i}`, { BENCH_WEB_PORT: String(portBase + i) });
  if (step) env.STACK_TRACE = path.join(root, 'trace');
  const samples = { wall: [], cli: [], supervisor: [], supervisorMain: [], stepWall: [], stepCpu: [] };
  return { repo, bin, env, root, project: `bupab${tag}${i}`, ...samples };
});

const stack = (b, more) => {
  const r = spawnSync(b.bin, ['-f', file, '-p', b.project, ...more], { env: b.env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${b.bin} ${more.join(' ')} failed:\n${r.stderr}`);
};

try {
  for (let round = 0; round <= runs; round++) {
    for (const b of round % 2 ? builds : [...builds].reverse()) {
      const cpu0 = childrenCpuMs();
      const t0 = performance.now();
      stack(b, ['up', '-d']);
      await waitForHttp(Number(b.env.BENCH_WEB_PORT));
      const wall = performance.now() - t0;
      const cli = childrenCpuMs() - cpu0;
      const pid = supervisorIn(b.root);
      const supervisor = processCpuMs(pid);
      const supervisorMain = mainThreadCpuMs(pid);
      if (round > 0)
        (b.wall.push(wall), b.cli.push(cli), b.supervisor.push(supervisor), b.supervisorMain.push(supervisorMain));
      if (step && round > 0) {
        // A trace line: wall ms, pid, the process's CPU ms, the label.
        const marks = fs.readFileSync(b.env.STACK_TRACE, 'utf8').split('\n');
        const mark = (label) => marks.find((l) => l.endsWith(` exe: ${step} ${label}`))?.split(' ');
        const [start, done] = [mark('start'), mark('done')];
        if (!start || !done) throw new Error(`no exe: ${step} start/done marks in ${b.env.STACK_TRACE}`);
        b.stepWall.push(Number(done[0]) - Number(start[0]));
        b.stepCpu.push(Number(done[2]) - Number(start[2]));
      }
      if (step) fs.rmSync(b.env.STACK_TRACE, { force: true });
      stack(b, ['down', '-t', '0']);
      await sleep(200);
    }
  }
  console.log(`up -d of bench/stacks/five, ${runs} interleaved runs, load average ${os.loadavg()[0].toFixed(1)}\n`);
  // The CLI's CPU comes in 10 ms ticks (a finished child's, /proc/self/stat): its mean over
  // the runs resolves finer than its median.
  const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;
  console.log(
    '| build | wall until the port answers | CLI CPU (mean) | supervisor CPU (main thread) |\n| --- | ---: | ---: | ---: |',
  );
  for (const b of builds)
    console.log(
      `| ${b.repo} | ${fmt(summary(b.wall).median)} ms | ${fmt(summary(b.cli).median)} (${fmt(mean(b.cli))}) ms | ${fmt(summary(b.supervisor).median)} (${fmt(summary(b.supervisorMain).median)}) ms |`,
    );
  if (step) {
    console.log(`\n| build | exe: ${step}, wall (median) | supervisor CPU over it (median) |\n| --- | ---: | ---: |`);
    for (const b of builds)
      console.log(`| ${b.repo} | ${fmt(summary(b.stepWall).median)} ms | ${fmt(summary(b.stepCpu).median)} ms |`);
  }
} finally {
  for (const b of builds) {
    spawnSync(b.bin, ['-f', file, '-p', b.project, 'down', '-t', '0'], { env: b.env });
    fs.rmSync(b.root, { recursive: true, force: true });
  }
}
