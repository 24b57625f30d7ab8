#!/usr/bin/env node
// The supervisor's CPU per no-op `stack up -d` on a running 5-service stack, and the CLI's
// wall time beside it, for two builds of stack side by side (A/B, alternated round by round,
// so a machine's load drifts over both alike). The supervisor collects its heap after each
// request (supervisor/release-memory.ts): this shows what that costs it, and that the CLI
// does not wait for it. CPU comes from /proc/PID/stat (user + system) of the supervisor.
// Usage: node bench/supervisor-cpu.mjs [REPO_A] [REPO_B] [--runs=30] [--rounds=2]
//   (each REPO is a built checkout; default: this one for both)

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { summary } from './lib/stats.mjs';

const here = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const repos = args.filter((a) => !a.startsWith('--'));
const flag = (name, fallback) => Number(args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback);
const runs = flag('runs', 30);
const rounds = flag('rounds', 2);
const [repoA, repoB] = [repos[0] ?? here, repos[1] ?? repos[0] ?? here].map((r) => path.resolve(r));

/** The supervisor of `project`: the node process whose command line names it. */
function supervisorPid(project) {
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.includes('supervisor') && cmd.includes(project)) return pid;
    } catch {
      // gone meanwhile
    }
  }
  throw new Error(`no supervisor for ${project}`);
}

/** User + system CPU of `pid` in ms (clock ticks of 10 ms). */
function cpuMs(pid) {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function measure(repo, port) {
  const { benchEnv, fiveServices } = await import(path.join(repo, 'bench/lib/stack-bench-env.mjs'));
  const project = `bsupcpu${port}`;
  const b = benchEnv(`supcpu${port}`);
  const file = path.join(b.root, 'stack.yaml');
  try {
    fs.writeFileSync(file, fiveServices(project, port));
    b.stack('-f', file, 'up', '-d');
    for (let i = 0; i < 5; i++) b.stack('-f', file, 'up', '-d'); // warm-up
    const pid = supervisorPid(project);
    const cpu0 = cpuMs(pid);
    const walls = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      b.stack('-f', file, 'up', '-d');
      walls.push(performance.now() - t0);
    }
    return { cpu: (cpuMs(pid) - cpu0) / runs, walls };
  } finally {
    try {
      b.stack('-f', file, 'down');
    } finally {
      b.dispose();
    }
  }
}

const results = { A: { cpu: [], walls: [] }, B: { cpu: [], walls: [] } };
for (let round = 0; round < rounds; round++) {
  for (const [which, repo, port] of [
    ['A', repoA, 18971],
    ['B', repoB, 18972],
  ]) {
    const r = await measure(repo, port);
    results[which].cpu.push(r.cpu);
    results[which].walls.push(...r.walls);
  }
}
console.log(`no-op up -d, ${runs} runs x ${rounds} rounds; A = ${repoA}, B = ${repoB}\n`);
console.log('| build | supervisor CPU per up (ms, per round) | CLI wall median (ms) | B / A (wall) |');
console.log('| --- | --- | ---: | ---: |');
const wallA = summary(results.A.walls).median;
for (const which of ['A', 'B']) {
  const wall = summary(results[which].walls).median;
  const ratio = which === 'A' ? '' : (wall / wallA).toFixed(2);
  console.log(
    `| ${which} | ${results[which].cpu.map((c) => c.toFixed(1)).join(' / ')} | ${wall.toFixed(1)} | ${ratio} |`,
  );
}
