#!/usr/bin/env node
// The stack's NAT table applied through libnftables (one reused context, a threadpool thread)
// against `nft -f -` (a process per apply) as the peer, and how long the event loop stalls
// while a 2000-rule table is applied. Only tables named `stk_b<rand>…` that it makes, removed
// at the end; no traffic (the rules name bridges that need not exist). Run as root, after
// npm run build: node bench/libnftables.mjs [RUNS=21]. It replaced the timed assertions of
// test/host/libnftables.test.ts (library faster than the tool; loop gap below 0.8× an apply).

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { summary, fmt, timedRuns } from './lib/stats.mjs';
import { nftRun } from '../dist/executor/host/linux/libnftables.js';
import { createLinuxNat } from '../dist/executor/host/linux/nat.js';
import { renderNatRuleset } from '../dist/executor/host/linux/nat-ruleset.js';
import { natTableExists } from '../dist/executor/host/linux/observe-network.js';

const runs = Number(process.argv[2] ?? 21);
const id = randomBytes(3).toString('hex');
const table = `stk_b${id}`;
const big = `stk_b${id}big`;
const nat = createLinuxNat();
// Forwarding is host-wide: put it back as it was, whatever the apply's bookkeeping did.
const ipForward = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8').trim();

/** A realistic stack (2 networks, 10 published ports) or, with 1000 ports, 2000 DNAT rules. */
function spec(t, ports = 10, firstPort = 20000) {
  return {
    project: `b${id}`,
    table: t,
    hash: 'h',
    networks: [
      { bridge: `stkb${id}a`, subnet: '10.214.1.0/24' },
      { bridge: `stkb${id}b`, subnet: '10.214.2.0/24' },
    ],
    ports: Array.from({ length: ports }, (_, i) => ({
      service: `s${i}`,
      container: `b${id}-s${i}-1`,
      protocol: i % 3 === 0 ? 'udp' : 'tcp',
      ...(i % 2 ? { hostIp: '127.0.0.1' } : {}),
      hostPort: firstPort + i,
      containerIp: `10.214.${1 + (i % 2)}.${2 + (i % 250)}`,
      containerPort: 80 + i,
    })),
  };
}

/** The longest gap between 1 ms timer ticks while `f` runs: a synchronous apply shows as a gap as long as itself. */
async function maxLoopGap(f) {
  let gap = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    gap = Math.max(gap, now - last);
    last = now;
  }, 1);
  try {
    await f();
  } finally {
    clearInterval(timer);
  }
  return gap;
}

function nftTool(ruleset) {
  const r = spawnSync('nft', ['-f', '-'], { input: ruleset, stdio: ['pipe', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`nft -f - exited with ${r.status}: ${r.stderr}`);
}

try {
  const ruleset = renderNatRuleset(spec(table));
  const tool = await timedRuns(runs, () => nftTool(ruleset));
  const lib = await timedRuns(runs, () => nftRun(ruleset));
  const apply = await timedRuns(runs, () => nat.apply(spec(table)));
  const exists = await timedRuns(runs, () => natTableExists(table));
  const bigRuleset = renderNatRuleset(spec(big, 1000, 30000));
  const bigRuns = Math.max(3, Math.round(runs / 4));
  const bigTool = await timedRuns(bigRuns, () => nftTool(bigRuleset));
  const gaps = [];
  const bigLib = await timedRuns(bigRuns, async () => gaps.push(await maxLoopGap(() => nftRun(bigRuleset))));
  const gap = summary(gaps);

  console.log(
    `nftables apply, ${runs} runs (2000 rules: ${bigRuns}), ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}\n`,
  );
  console.log('| measurement | median ms | min ms | max ms | ratio |\n| --- | ---: | ---: | ---: | ---: |');
  const row = (name, s, ratio) =>
    console.log(`| ${name} | ${fmt(s.median)} | ${fmt(s.min)} | ${fmt(s.max)} | ${ratio} |`);
  row('`nft -f -`, 10 ports (process start included)', tool, '');
  row('libnftables, 10 ports', lib, `${(tool.median / lib.median).toFixed(1)}× (nft ÷ this)`);
  row('`nat.apply` (ip_forward, accepts, the table)', apply, '');
  row('`natTableExists`', exists, '');
  row('`nft -f -`, 2000 rules', bigTool, '');
  row('libnftables, 2000 rules', bigLib, `${(bigTool.median / bigLib.median).toFixed(1)}× (nft ÷ this)`);
  row('longest event-loop gap during a 2000-rule apply', gap, `${(gap.median / bigLib.median).toFixed(2)}× the apply`);
  console.log(
    '\nA gap near 1.0× the apply would mean the call blocks the loop; the test requires only that the loop turns.',
  );
} finally {
  for (const t of [table, big]) await nat.remove(t);
  writeFileSync('/proc/sys/net/ipv4/ip_forward', ipForward);
}
