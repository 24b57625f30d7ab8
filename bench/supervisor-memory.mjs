#!/usr/bin/env node
// Supervisor memory under churn: a small running stack (a web server with a published
// port, a sleeper with a 1 s healthcheck, a `restart: always` sleeper) and N operations
// cycling through `restart`, `exec`, and an edit applied with `up -d` (an env change, as
// `stack watch` applies it), with the healthcheck probing all along. The supervisor's
// RSS (/proc/PID/status VmRSS) is sampled after every operation. Target: after a warm-up
// (the first 10% of the operations), RSS stays within ±10% of the warm-up median.
// After the warm-up, every 100 operations and at the end it asks the supervisor for its memory
// by kind (JS heap, anonymous RSS, mapped files) and live handles (`resources` request), to
// tell where growth is.
// Prints Markdown tables, writes bench/results/supervisor-memory.json.
// Usage: node bench/supervisor-memory.mjs [OPERATIONS=1000] [--ops=restart,exec,edit] [--snapshots] [--instance=N]
//   --ops: only these operations (to tell which one makes the supervisor grow).
//   --snapshots: the supervisor writes a heap snapshot (SIGUSR2) after the warm-up and at
//   the end, into the bench's temp folder (kept, path printed); compare them with
//   node bench/lib/heap-diff.mjs A.heapsnapshot B.heapsnapshot  (after npm run build)

import fs from 'node:fs';
import path from 'node:path';
import { summary, fmt } from './lib/stats.mjs';
import { benchEnv, hostInfo, repo, sleeper, withWebServer, writeResult } from './lib/stack-bench-env.mjs';

const { askResources } = await import(path.join(repo, 'dist/supervisor/resources-client.js'));

const args = process.argv.slice(2);
const operations = Number(args.find((a) => /^\d+$/.test(a)) ?? 1000);
const snapshots = args.includes('--snapshots');
// --instance=N: a stack of its own (project bsupmemN, port 18933+N), for runs side by side.
const instance = Number(args.find((a) => a.startsWith('--instance='))?.slice(11) ?? 0);
const project = `bsupmem${instance || ''}`;
const port = 18933 + instance;

const b = benchEnv('supmem');
const snapshotDir = path.join(b.root, 'snapshots');
if (snapshots) {
  fs.mkdirSync(snapshotDir);
  b.env.NODE_OPTIONS =
    `${b.env.NODE_OPTIONS ?? ''} --heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${snapshotDir}`.trim();
}
const file = path.join(b.root, 'stack.yaml');

function stackFile(mode) {
  return (
    withWebServer(project, port) +
    sleeper(
      'api',
      `    environment: { MODE: "${mode}" }\n    healthcheck: { test: ["CMD", "true"], interval: 1s, timeout: 2s, retries: 3 }\n`,
    ) +
    sleeper('worker', '    restart: always\n')
  );
}

/** The stack's supervisor: node running the bundled supervisor with this project. */
function supervisorPid() {
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (
        cmd.includes('bin/stack-supervisor.js') &&
        cmd.includes(project) &&
        fs.readFileSync(`/proc/${pid}/environ`, 'utf8').includes(b.env.STACK_RUN)
      )
        return Number(pid);
    } catch {
      // exited meanwhile
    }
  }
  throw new Error('no supervisor found');
}

function rssMB(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) / 1024;
}

async function snapshot(pid, label) {
  const before = new Set(fs.readdirSync(snapshotDir));
  process.kill(pid, 'SIGUSR2');
  for (;;) {
    await new Promise((r) => setTimeout(r, 200));
    const made = fs.readdirSync(snapshotDir).find((f) => !before.has(f) && f.endsWith('.heapsnapshot'));
    // Written in one go; the size stops changing when it is done.
    if (made) {
      const p = path.join(snapshotDir, made);
      const size = fs.statSync(p).size;
      await new Promise((r) => setTimeout(r, 500));
      if (fs.statSync(p).size === size && size > 0) {
        const named = path.join(snapshotDir, `${label}.heapsnapshot`);
        fs.renameSync(p, named);
        return named;
      }
    }
  }
}

const allOps = [
  { name: 'restart', run: () => b.stack('-f', file, 'restart', '-t', '0', 'worker') },
  { name: 'exec', run: () => b.stack('-f', file, 'exec', '-T', 'api', 'true') },
  { name: 'edit', run: (i) => (fs.writeFileSync(file, stackFile(`m${i}`)), b.stack('-f', file, 'up', '-d')) },
  // Nothing but the healthcheck probing meanwhile (only with --ops=idle).
  { name: 'idle', run: () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300), optional: true },
];
const only = args
  .find((a) => a.startsWith('--ops='))
  ?.slice(6)
  .split(',');
const ops = only ? allOps.filter((o) => only.includes(o.name)) : allOps.filter((o) => !o.optional);

let failed = false;
try {
  fs.writeFileSync(file, stackFile('m0'));
  b.stack('-f', file, 'up', '-d');
  const pid = supervisorPid();
  const warmup = Math.max(1, Math.round(operations / 10));
  const samples = [];
  const taken = [];
  const t0 = performance.now();
  const perOp = Object.fromEntries(ops.map((o) => [o.name, []]));
  /** The supervisor's memory by kind and live handles (supervisor/resources.ts) after the warm-up and at the end. */
  const breakdown = {};
  const resources = () => askResources(path.join(b.env.STACK_RUN, project, 'supervisor.sock'));
  for (let i = 0; i < operations; i++) {
    const op = ops[i % ops.length];
    const s0 = performance.now();
    op.run(i);
    perOp[op.name].push(performance.now() - s0);
    samples.push(rssMB(pid));
    if (i + 1 === warmup) breakdown.afterWarmup = await resources();
    if (snapshots && i + 1 === warmup) taken.push(await snapshot(pid, 'after-warmup'));
    if ((i + 1) % 100 === 0) {
      const m = (await resources()).memory;
      breakdown.every100 = [...(breakdown.every100 ?? []), m];
      const mb = (x) => fmt(x / 1048576, 'MB');
      process.stderr.write(
        `${i + 1}/${operations} operations, supervisor RSS ${fmt(samples.at(-1), 'MB')} MB (anon ${mb(m.rssAnon)}, file ${mb(m.rssFile)}, heap ${mb(m.heapUsed)}/${mb(m.heapTotal)}, external ${mb(m.external)})\n`,
      );
    }
  }
  breakdown.atEnd = await resources();
  if (snapshots) taken.push(await snapshot(pid, 'at-end'));
  const seconds = (performance.now() - t0) / 1000;
  const base = summary(samples.slice(0, warmup)).median;
  const after = samples.slice(warmup);
  const tail = summary(samples.slice(-warmup)).median;
  const worst = Math.max(...after.map((x) => Math.abs(x - base) / base));
  const start = samples[0];
  console.log(
    `supervisor RSS over ${operations} operations (restart / exec / edit by up -d, 1 s healthcheck running), ${fmt(seconds)} s, ${hostInfo()}\n`,
  );
  console.log('| measurement | MB | target |\n| --- | ---: | --- |');
  console.log(`| after the first operation | ${fmt(start, 'MB')} | |`);
  console.log(`| warm-up median (first ${warmup} operations) | ${fmt(base, 'MB')} | |`);
  console.log(`| median of the last ${warmup} operations | ${fmt(tail, 'MB')} | within ±10% of the warm-up |`);
  console.log(`| min / max after warm-up | ${fmt(Math.min(...after), 'MB')} / ${fmt(Math.max(...after), 'MB')} | |`);
  console.log(`| largest deviation after warm-up | ${fmt(worst * 100)} % | ≤ 10 % |`);
  const mb = (bytes) => fmt(bytes / 1048576, 'MB');
  console.log('\n| supervisor memory | after warm-up MB | at the end MB |\n| --- | ---: | ---: |');
  for (const [key, label] of [
    ['rss', 'RSS'],
    ['rssAnon', 'RSS anonymous (JS heap, C heap, stacks)'],
    ['rssFile', 'RSS of mapped files (node, libraries)'],
    ['heapTotal', 'JS heap total'],
    ['heapUsed', 'JS heap used'],
    ['external', 'external (C++ objects V8 tracks)'],
    ['arrayBuffers', 'of which ArrayBuffers'],
  ]) {
    console.log(`| ${label} | ${mb(breakdown.afterWarmup.memory[key])} | ${mb(breakdown.atEnd.memory[key])} |`);
  }
  const handles = (r) =>
    Object.entries(r.handles)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
  console.log(
    `\nlive handles after warm-up: ${handles(breakdown.afterWarmup)}; at the end: ${handles(breakdown.atEnd)}`,
  );
  console.log('\n| operation | count | median ms |\n| --- | ---: | ---: |');
  for (const o of ops) console.log(`| ${o.name} | ${perOp[o.name].length} | ${fmt(summary(perOp[o.name]).median)} |`);
  if (taken.length) console.log(`\nheap snapshots: ${taken.join(' ')}`);
  writeResult('supervisor-memory', {
    host: hostInfo(),
    project,
    operations,
    seconds,
    warmupMedianMB: base,
    tailMedianMB: tail,
    worstDeviation: worst,
    breakdown,
    opMedianMs: Object.fromEntries(ops.map((o) => [o.name, summary(perOp[o.name]).median])),
    samplesMB: samples,
  });
} catch (err) {
  failed = true;
  throw err;
} finally {
  // A failed down keeps the stack's records, so it can still be taken down by hand
  // (STACK_ROOT=… STACK_RUN=… stack -p PROJECT down); the folder is named then.
  let down = false;
  try {
    b.stack('-f', file, 'down', '-t', '0');
    down = true;
  } finally {
    if (!down) console.error(`down failed: the stack's records stay in ${b.root}`);
    // Heap snapshots are kept for comparison; everything else goes.
    else if (snapshots && !failed) {
      for (const e of fs.readdirSync(b.root))
        if (e !== 'snapshots') fs.rmSync(path.join(b.root, e), { recursive: true, force: true });
    } else b.dispose();
  }
}
