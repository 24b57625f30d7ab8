#!/usr/bin/env node
// A/B of one state record's write (store/json-file.ts writeJsonAtomic), two builds in one
// process, interleaved write by write: wall and CPU per write of a container's record (a
// first `up -d` of bench/stacks/five writes ~20 on the supervisor's main thread).
//   node bench/record-write-ab.mjs REPO_A REPO_B [--writes=N] [--dir=DIR]
// Each REPO built (dist/store/json-file.js). DIR (default: a new folder in the temp folder)
// should be on the disk STACK_ROOT uses; it is removed at the end.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const args = process.argv.slice(2);
const opt = (name, fallback) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const repos = args.filter((a) => !a.startsWith('--')).map((r) => path.resolve(r));
if (repos.length !== 2) throw new Error('usage: node bench/record-write-ab.mjs REPO_A REPO_B [--writes=N] [--dir=DIR]');
const writes = Number(opt('writes', 400));
const dir = fs.mkdtempSync(path.join(opt('dir', os.tmpdir()), 'stack-bench-record-'));
const builds = await Promise.all(
  repos.map(async (repo) => ({ repo, mod: await import(path.join(repo, 'dist/store/json-file.js')), runs: [] })),
);

// The shape and size of a container's record (~1.9 KB as JSON).
const record = {
  spec: {
    project: 'bench',
    name: 'bench-api-1',
    service: 'api',
    image: { ref: 'stack.local/busybox:latest', layers: ['sha256:' + 'a'.repeat(64)] },
    argv: ['httpd', '-f', '-p', '8000', '-h', '/www'],
    env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOSTNAME=api'],
    endpoints: [{ network: 'default', ip: '10.89.0.4', gateway: '10.89.0.1', hostVeth: 'stkv0123456789' }],
    hosts: Array.from({ length: 5 }, (_, i) => ({ ip: `10.89.0.${i + 2}`, names: [`svc${i}`, `bench-svc${i}-1`] })),
    resolvConf: ['nameserver 127.0.0.11', 'options ndots:0'],
    capabilities: ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP'],
  },
  status: 'starting',
  pid: 12345,
  startTime: 6789012,
  startedAt: new Date(0).toISOString(),
};

try {
  for (let i = 0; i < writes; i++) {
    for (const b of i % 2 ? builds : [...builds].reverse()) {
      const file = path.join(dir, `c${i % 5}.json`);
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      await b.mod.writeJsonAtomic(file, record);
      const wall = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      b.runs.push({ wall, cpu: (cpu.user + cpu.system) / 1000 });
    }
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;
console.log(`${writes} interleaved writes each, load average ${os.loadavg()[0].toFixed(1)}\n`);
console.log('| build | wall median | wall mean | CPU mean |\n| --- | ---: | ---: | ---: |');
for (const b of builds)
  console.log(
    `| ${b.repo} | ${median(b.runs.map((r) => r.wall)).toFixed(3)} ms | ${mean(b.runs.map((r) => r.wall)).toFixed(3)} ms | ${mean(b.runs.map((r) => r.cpu)).toFixed(3)} ms |`,
  );
