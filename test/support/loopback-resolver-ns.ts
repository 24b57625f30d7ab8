// A host of the test's own for rootless DNS: a mount and network namespace whose
// /etc/resolv.conf (a bind mount, private to it) names a resolver on its loopback,
// 127.0.0.53 as systemd-resolved's stub, which answers one name. Its only other link is a
// veth pair with both ends inside it and a default route (pasta copies the addresses and
// routes of the interface with one); nothing leaves the namespace. Commands run there
// through `enter`.

import { spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './stack-cli.js';

export interface LoopbackResolverNs {
  /** What the resolver answers for `name` (an A record). */
  name: string;
  ip: string;
  /** Prefix to run a command in the namespace (as root; add setpriv after it). */
  enter: string[];
  /** Queries it was asked, by name. */
  asked(): string[];
  dispose(): void;
}

const RESOLVER = `
const dgram = require('node:dgram');
const fs = require('node:fs');
const packet = require(process.argv[2] + '/node_modules/dns-packet');
const [name, ip, log] = process.argv.slice(3);
const udp = dgram.createSocket('udp4');
udp.on('message', (m, r) => {
  const q = packet.decode(m);
  const question = q.questions[0];
  fs.appendFileSync(log, question.name + '\\n');
  const known = question.name.toLowerCase() === name && question.type === 'A';
  udp.send(packet.encode({ type: 'response', id: q.id, flags: known ? 0 : 3, questions: q.questions,
    answers: known ? [{ type: 'A', name: question.name, ttl: 5, data: ip }] : [] }), r.port, r.address);
});
udp.bind(53, '127.0.0.53', () => process.stdout.write('ready\\n'));
`;

export async function makeLoopbackResolverNs(): Promise<LoopbackResolverNs> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-loopdns-'));
  fs.chmodSync(dir, 0o755);
  const net = `198.18.${randomInt(0, 256)}`;
  const name = 'loopback-upstream.stack.test';
  const ip = '198.51.100.7';
  fs.writeFileSync(path.join(dir, 'resolv.conf'), 'nameserver 127.0.0.53\noptions edns0\n', { mode: 0o644 });
  fs.writeFileSync(path.join(dir, 'resolver.cjs'), RESOLVER);
  const log = path.join(dir, 'asked');
  fs.writeFileSync(log, '');
  const setup = [
    `mount --bind ${dir}/resolv.conf /etc/resolv.conf`,
    'ip link set lo up',
    'ip link add stkdns0 type veth peer name stkdns1',
    `ip addr add ${net}.2/24 dev stkdns0`,
    'ip link set stkdns1 up',
    'ip link set stkdns0 up',
    `ip route add default via ${net}.1`,
    `exec ${process.execPath} ${dir}/resolver.cjs ${repoRoot} ${name} ${ip} ${log}`,
  ].join(' && ');
  const holder = spawn('unshare', ['--mount', '--net', '--propagation', 'private', 'sh', '-c', setup], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const dispose = () => {
    holder.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      holder.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      holder.once('exit', (code) => reject(new Error(`the loopback resolver's namespace exited with ${code}`)));
    });
  } catch (e) {
    dispose();
    throw e;
  }
  return {
    name,
    ip,
    enter: ['nsenter', `--target=${holder.pid}`, '--mount', '--net', '--'],
    asked: () => fs.readFileSync(log, 'utf8').split('\n').filter(Boolean),
    dispose,
  };
}
