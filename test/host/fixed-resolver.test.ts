// 127.0.0.11 in a container's network namespace (fixed-resolver.ts), on the real kernel, in
// two namespaces this test makes and joins with a veth pair: "box" stands for a container,
// "gw" for the host side of its network (the stack's DNS server on the gateway address).
// A query to 127.0.0.11:53 in box reaches gw's port 53 from box's own address, and the
// answer comes back. And the route_localnet it needs opens no way in: a hand-made frame
// from the link for box's 127.0.0.1 is dropped. No bridge between the two, so the host's
// own guard (which br_netfilter shows bridged frames) plays no part.

import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installFixedResolver } from '../../executor/host/linux/fixed-resolver.js';
import { waitFor } from '../support/processes.js';

const BOX_IP = '10.251.7.2';
const GW_IP = '10.251.7.1';
const tag = Math.random().toString(36).slice(2, 8);
const BOX_IF = `stkrb${tag}`;
const GW_IF = `stkrg${tag}`;
let dir: string;
const children: ChildProcess[] = [];
let box: number;
let gw: number;

/** A process alone in a new network namespace; its pid names the namespace. */
function namespaceHolder(): number {
  const child = spawn('unshare', ['-n', 'sleep', '1000'], { stdio: 'ignore' });
  children.push(child);
  return child.pid!;
}

const ip = (pid: number, ...args: string[]) => execFileSync('nsenter', ['-t', String(pid), '-n', 'ip', ...args]);

/** Runs `bin` in the namespace of `pid`, collecting its output. */
function runIn(pid: number, argv: string[]): { out: () => string } {
  const child = spawn('nsenter', ['-t', String(pid), '-n', ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { out: () => out };
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-test-resolver-'));
  for (const name of ['raw-udp', 'udp-echo']) {
    execFileSync('gcc', [
      '-static',
      '-O1',
      '-o',
      path.join(dir, name),
      path.join(import.meta.dirname, `../integration/fixtures/${name}.c`),
    ]);
  }
  box = namespaceHolder();
  gw = namespaceHolder();
  await waitFor(
    () =>
      fs.readlinkSync(`/proc/${box}/ns/net`) !== fs.readlinkSync('/proc/self/ns/net') &&
      fs.readlinkSync(`/proc/${gw}/ns/net`) !== fs.readlinkSync('/proc/self/ns/net'),
    5000,
    'the namespaces',
  );
  execFileSync('ip', ['link', 'add', BOX_IF, 'type', 'veth', 'peer', 'name', GW_IF]);
  execFileSync('ip', ['link', 'set', BOX_IF, 'netns', `/proc/${box}/ns/net`]);
  execFileSync('ip', ['link', 'set', GW_IF, 'netns', `/proc/${gw}/ns/net`]);
  for (const [pid, ifname, addr] of [
    [box, BOX_IF, BOX_IP],
    [gw, GW_IF, GW_IP],
  ] as const) {
    ip(pid, 'addr', 'add', `${addr}/24`, 'dev', ifname);
    ip(pid, 'link', 'set', ifname, 'up');
    ip(pid, 'link', 'set', 'lo', 'up');
  }
  await installFixedResolver(box, GW_IP);
});

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('the fixed resolver address in a namespace', () => {
  it("a query to 127.0.0.11:53 reaches the gateway's port 53 from the namespace's own address, and its answer comes back", async () => {
    // The stack's DNS server stands in as a UDP server on the gateway address that says whom it heard.
    const server = runIn(gw, [
      process.execPath,
      '-e',
      `const s = require('node:dgram').createSocket('udp4');
      s.on('message', (m, r) => { console.log('got ' + m + ' from ' + r.address); s.send('answer', r.port, r.address); });
      s.bind(53, '${GW_IP}', () => console.log('listening'));`,
    ]);
    await waitFor(() => server.out().includes('listening'), 5000, 'the fake DNS server');
    const script = `const s = require('node:dgram').createSocket('udp4');
      s.on('message', (m, r) => { console.log(m.toString() + ' from ' + r.address + ':' + r.port); process.exit(0); });
      setTimeout(() => process.exit(3), 3000);
      s.send('query', 53, '127.0.0.11');`;
    const r = spawnSync('nsenter', ['-t', String(box), '-n', process.execPath, '-e', script], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(r.status, r.stderr).toBe(0);
    // The answer looks as if 127.0.0.11 gave it.
    expect(r.stdout.trim()).toBe('answer from 127.0.0.11:53');
    // The server heard box's address, not a loopback one: the stack's DNS server tells containers apart by it.
    await waitFor(() => server.out().includes('got query'), 5000, 'the query at the server');
    expect(server.out()).toContain(`got query from ${BOX_IP}`);
  });

  it("a frame from the link for the namespace's 127.0.0.1 reaches none of its loopback services", async () => {
    const victim = runIn(box, [path.join(dir, 'udp-echo'), '5353']);
    await waitFor(() => victim.out().includes('listening'), 5000, 'the victim');
    const mac = /link\/ether ([0-9a-f:]{17})/.exec(ip(box, '-o', 'link', 'show', 'dev', BOX_IF).toString())![1]!;
    const send = (dst: string, payload: string, src?: string) => {
      const r = spawnSync(
        'nsenter',
        ['-t', String(gw), '-n', path.join(dir, 'raw-udp'), GW_IF, mac, dst, '5353', payload, ...(src ? [src] : [])],
        { encoding: 'utf8' },
      );
      expect(r.status, r.stderr).toBe(0);
    };
    send('127.0.0.1', 'to loopback');
    send('127.0.0.1', 'to loopback from loopback', '127.0.0.1');
    send(BOX_IP, 'control');
    await waitFor(() => victim.out().includes('got control'), 5000, 'the control frame');
    expect(victim.out()).not.toContain('loopback');
  });

  it('a second install in the same namespace leaves the table as one install made it', async () => {
    const rules = () =>
      execFileSync('nsenter', ['-t', String(box), '-n', 'nft', 'list', 'table', 'ip', 'stk_resolver']).toString();
    const once = rules();
    await installFixedResolver(box, GW_IP);
    expect(rules()).toBe(once);
    expect(once.match(/dnat to/g)).toHaveLength(2);
  });
});
