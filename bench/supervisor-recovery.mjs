#!/usr/bin/env node
// How long a stack goes without a supervisor after a kill -9 of it: from the SIGKILL until
// its watchdog's replacement (supervisor/watchdog.ts) holds the stack's lock, answers on
// its socket, and has logged its adoption of the containers. And what the watchdog costs:
// processes and resident memory per stack. Median of N rounds (default 20) on a one-service
// stack, in a private STACK_ROOT. Needs root and `npm run build`.
//   node bench/supervisor-recovery.mjs [RUNS]

import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { benchEnv, hostInfo } from './lib/stack-bench-env.mjs';
import { fmt, summary } from './lib/stats.mjs';
import { cmdline, supervisorPid, watchdogPid } from './lib/stack-processes.mjs';
import { QUICK_CRASH_MS } from '../dist/supervisor/watchdog.js';

const runs = Number(process.argv[2] ?? 20);
const project = 'stkrecover';
const { root, env, stack, dispose } = benchEnv('recovery');
const file = path.join(root, 'stack.yaml');
fs.writeFileSync(
  file,
  `name: ${project}\nservices:\n  app:\n    image: stack.local/busybox:latest\n    command: sleep 100000\n    restart: always\n`,
);
const socket = path.join(env.STACK_RUN, project, 'supervisor.sock');
const log = path.join(env.STACK_ROOT, 'stacks', project, 'supervisor.log');

const supervisor = () => supervisorPid(project);
const watchdog = () => watchdogPid(project);
const rssKb = (pid) => Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
const answers = () =>
  new Promise((resolve) => {
    const c = net.connect(socket, () => {
      c.destroy();
      resolve(true);
    });
    c.on('error', () => resolve(false));
  });

try {
  stack('-f', file, 'up', '-d');
  const serving = [],
    adopted = [];
  for (let i = 0; i < runs; i++) {
    const old = supervisor();
    const logSize = fs.statSync(log).size;
    const t0 = performance.now();
    process.kill(old, 'SIGKILL');
    const logged = (text) => fs.readFileSync(log, 'utf8').slice(logSize).includes(text);
    // Its log line comes once it listens: a connect alone might reach the dying one.
    while (!logged('serving') || !(await answers())) await new Promise((r) => setTimeout(r, 1));
    serving.push(performance.now() - t0);
    while (!logged('adopted')) await new Promise((r) => setTimeout(r, 1));
    adopted.push(performance.now() - t0);
    while (!watchdog()) await new Promise((r) => setTimeout(r, 1)); // the next round kills a supervisor that has one
    // One killed sooner after its start counts as a crash loop (supervisor/watchdog.ts).
    await new Promise((r) => setTimeout(r, QUICK_CRASH_MS));
  }
  const s = summary(serving),
    a = summary(adopted);
  const w = watchdog(),
    sup = supervisor();
  console.log(`supervisor recovery after kill -9, ${runs} rounds (${hostInfo()})`);
  console.log(`| until | median ms | min | max |\n| --- | ---: | ---: | ---: |`);
  console.log(`| a new supervisor answers on the socket | ${fmt(s.median)} | ${fmt(s.min)} | ${fmt(s.max)} |`);
  console.log(`| it has adopted the containers | ${fmt(a.median)} | ${fmt(a.min)} | ${fmt(a.max)} |`);
  console.log(
    `watchdog: 1 process per stack (${cmdline(w)[0]}), RSS ${rssKb(w)} kB; the supervisor: RSS ${rssKb(sup)} kB`,
  );
} finally {
  try {
    process.kill(watchdog(), 'SIGKILL');
  } catch {
    /* none */
  }
  try {
    stack('-f', file, 'down', '-t', '0');
  } finally {
    dispose();
  }
}
