#!/usr/bin/env node
// The host port scan that observe runs before every plan (sock_diag for TCP listeners,
// /proc/net for UDP, owners only for the published ports), in process, against `ss -ltnup`
// (iproute2's full listing with owners) as the peer. A loopback listener of this process is
// the published port whose owner is looked up. Usage: node bench/host-ports.mjs [RUNS=21]
// (after npm run build). It replaced a timed assertion in test/host/host-ports.test.ts.

import { execFileSync } from 'node:child_process';
import net from 'node:net';
import os from 'node:os';
import { fmt, timedRuns } from './lib/stats.mjs';
import { hostPorts, socketOwners } from '../dist/executor/host/linux/host-ports.js';

const runs = Number(process.argv[2] ?? 21);
const server = net.createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = server.address().port;

try {
  const scan = await timedRuns(runs, () => hostPorts({ only: [{ protocol: 'tcp', port }] }));
  // An inode no socket has: a full pass over every process's fds.
  const ownerPass = await timedRuns(runs, () => socketOwners([2 ** 31]));
  const ss = await timedRuns(runs, () => execFileSync('ss', ['-ltnup'], { stdio: ['ignore', 'pipe', 'ignore'] }));
  console.log(`host port scan, ${runs} runs, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}\n`);
  console.log('| measurement | median ms | min ms | max ms | vs `ss -ltnup` |\n| --- | ---: | ---: | ---: | ---: |');
  for (const [name, s] of [
    ['stack: listeners + one owner lookup', scan],
    ['stack: full owner pass (no match)', ownerPass],
    ['`ss -ltnup` (process start included)', ss],
  ])
    console.log(
      `| ${name} | ${fmt(s.median)} | ${fmt(s.min)} | ${fmt(s.max)} | ${(ss.median / s.median).toFixed(1)}× |`,
    );
} finally {
  server.close();
}
