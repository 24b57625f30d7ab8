// A network namespace that plays "the outside" for egress tests: a veth to the host with
// addresses in a test-only /30 of 198.18.0.0/15 (the benchmarking range, never a real
// outside address), an HTTP server that answers with the address it sees the client
// come from, and a fake upstream DNS server that knows one name. No packet leaves the host.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { repoRoot } from './stack-cli.js';

export interface OutsideHost {
  /** The host's address on the link (what masquerade turns container sources into). */
  hostIp: string;
  /** The outside namespace's address. */
  ip: string;
  /** The outside end of the link (its name inside the outside namespace). */
  ifname: string;
  /** The MAC address of the host's end, where a frame from outside is sent. */
  hostMac: string;
  /** Its HTTP server: answers `you are <client address>`. */
  httpPort: number;
  /** The one name its DNS server (port 53) answers, with `ip`; every other name is NXDOMAIN. */
  dnsName: string;
  /** Runs a command in the outside namespace. */
  run(args: string[], timeoutMs?: number): { code: number; stdout: string };
  dispose(): void;
}

const SERVER = `
const http = require('node:http');
const dgram = require('node:dgram');
const packet = require(process.argv[2] + '/node_modules/dns-packet');
const [ip, name] = [process.argv[3], process.argv[4]];
http.createServer((req, res) => res.end('you are ' + req.socket.remoteAddress.replace(/^::ffff:/, '') + '\\n')).listen(8000, ip);
const udp = dgram.createSocket('udp4');
udp.on('message', (m, r) => {
  const q = packet.decode(m);
  const question = q.questions[0];
  const known = question.name.toLowerCase() === name && question.type === 'A';
  udp.send(packet.encode({ type: 'response', id: q.id, flags: known ? 0 : 3, questions: q.questions,
    answers: known ? [{ type: 'A', name: question.name, ttl: 5, data: ip }] : [] }), r.port, r.address);
});
udp.bind(53, ip, () => process.stdout.write('ready\\n'));
`;

function ipTool(args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
}

/**
 * `hostNetns`: the named network namespace whose end of the link plays the host's (a
 * NetnsHost's); the real host's by default.
 */
export async function makeOutsideHost(opts: { hostNetns?: string } = {}): Promise<OutsideHost> {
  const onHost = (args: string[]) => (opts.hostNetns ? ['-n', opts.hostNetns, ...args] : args);
  const tag = `stko${randomBytes(3).toString('hex')}`;
  const base = `198.18.${randomInt(0, 256)}.${4 * randomInt(0, 64)}`;
  const [a, b, c, d] = base.split('.').map(Number) as [number, number, number, number];
  const hostIp = `${a}.${b}.${c}.${d + 1}`;
  const ip = `${a}.${b}.${c}.${d + 2}`;
  const children: ChildProcess[] = [];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-outside-'));
  const sleeper = spawn('unshare', ['--net', 'sleep', '600'], { stdio: 'ignore' });
  children.push(sleeper);
  const own = fs.readlinkSync('/proc/self/ns/net');
  for (
    let i = 0;
    i < 200 &&
    (() => {
      try {
        return fs.readlinkSync(`/proc/${sleeper.pid}/ns/net`) === own;
      } catch {
        return true;
      }
    })();
    i++
  ) {
    await new Promise((r) => setTimeout(r, 5));
  }
  const ns = `/proc/${sleeper.pid}/ns/net`;
  const run = (args: string[], timeoutMs = 10_000) => {
    const r = spawnSync('nsenter', [`--net=${ns}`, ...args], { encoding: 'utf8', timeout: timeoutMs });
    return { code: r.status ?? -1, stdout: r.stdout ?? '' };
  };
  const dispose = () => {
    for (const ch of children) ch.kill('SIGKILL');
    spawnSync('ip', onHost(['link', 'del', `${tag}h`]));
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    ipTool(['link', 'add', `${tag}h`, 'type', 'veth', 'peer', 'name', `${tag}p`, 'netns', String(sleeper.pid)]);
    if (opts.hostNetns) ipTool(['link', 'set', `${tag}h`, 'netns', opts.hostNetns]);
    ipTool(onHost(['addr', 'add', `${hostIp}/30`, 'dev', `${tag}h`]));
    ipTool(onHost(['link', 'set', `${tag}h`, 'up']));
    for (const args of [
      ['ip', 'addr', 'add', `${ip}/30`, 'dev', `${tag}p`],
      ['ip', 'link', 'set', `${tag}p`, 'up'],
      ['ip', 'link', 'set', 'lo', 'up'],
    ]) {
      if (run(args).code !== 0) throw new Error(`outside: ${args.join(' ')} failed`);
    }
    const script = path.join(dir, 'server.cjs');
    fs.writeFileSync(script, SERVER);
    const dnsName = 'outside.stack.test';
    const server = spawn('nsenter', [`--net=${ns}`, process.execPath, script, repoRoot, ip, dnsName], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(server);
    await new Promise<void>((resolve, reject) => {
      server.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      server.on('exit', (code) => reject(new Error(`outside server exited with ${code}`)));
    });
    const hostMac = /link\/ether (\S+)/.exec(
      spawnSync('ip', onHost(['-o', 'link', 'show', `${tag}h`]), { encoding: 'utf8' }).stdout,
    )![1]!;
    return { hostIp, ip, ifname: `${tag}p`, hostMac, httpPort: 8000, dnsName, run, dispose };
  } catch (e) {
    dispose();
    throw e;
  }
}
