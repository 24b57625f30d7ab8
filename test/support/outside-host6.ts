// A network namespace that plays "the outside" over IPv6 for egress and published-port
// tests: a veth to the host with a test-only /64 of unique local addresses (fd + random:
// routed nowhere but this link), and an HTTP server that answers with the address it sees
// the client come from. No packet leaves the host.

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import { canonicalIp6 } from '../../model/ipam6.js';

export interface OutsideHost6 {
  /** The host's address on the link (what NAT66 turns container sources into). */
  hostIp: string;
  /** The outside namespace's address. */
  ip: string;
  /** Its HTTP server's port: answers `you are <client address>`. */
  httpPort: number;
  /** Runs a command in the outside namespace. */
  run(args: string[], timeoutMs?: number): { code: number; stdout: string };
  dispose(): void;
}

const SERVER = `
require('node:http')
  .createServer((req, res) => res.end('you are ' + req.socket.remoteAddress + '\\n'))
  .listen(8000, process.argv[1], () => process.stdout.write('ready\\n'));
`;

function ipTool(args: string[]): void {
  const r = spawnSync('ip', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
}

export async function makeOutsideHost6(): Promise<OutsideHost6> {
  const tag = `stk6${randomBytes(3).toString('hex')}`;
  const prefix = `fd${randomBytes(1).toString('hex')}:${randomBytes(2).toString('hex')}:${randomBytes(2).toString('hex')}:1`;
  const hostIp = canonicalIp6(`${prefix}::1`);
  const ip = canonicalIp6(`${prefix}::2`);
  const children: ChildProcess[] = [];
  const sleeper = spawn('unshare', ['--net', 'sleep', '600'], { stdio: 'ignore' });
  children.push(sleeper);
  const own = fs.readlinkSync('/proc/self/ns/net');
  for (let i = 0; i < 200; i++) {
    let ns = own;
    try {
      ns = fs.readlinkSync(`/proc/${sleeper.pid}/ns/net`);
    } catch {
      // not started yet
    }
    if (ns !== own) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  const ns = `/proc/${sleeper.pid}/ns/net`;
  const run = (args: string[], timeoutMs = 10_000) => {
    const r = spawnSync('nsenter', [`--net=${ns}`, ...args], { encoding: 'utf8', timeout: timeoutMs });
    return { code: r.status ?? -1, stdout: (r.stdout ?? '') + (r.stderr ?? '') };
  };
  const dispose = () => {
    for (const ch of children) ch.kill('SIGKILL');
    spawnSync('ip', ['link', 'del', `${tag}h`]);
  };
  try {
    ipTool(['link', 'add', `${tag}h`, 'type', 'veth', 'peer', 'name', `${tag}p`, 'netns', String(sleeper.pid)]);
    // Per interface: the host may keep IPv6 off by default for new links.
    fs.writeFileSync(`/proc/sys/net/ipv6/conf/${tag}h/disable_ipv6`, '0');
    ipTool(['addr', 'add', `${hostIp}/64`, 'dev', `${tag}h`, 'nodad']);
    ipTool(['link', 'set', `${tag}h`, 'up']);
    for (const args of [
      ['sh', '-c', `echo 0 > /proc/sys/net/ipv6/conf/${tag}p/disable_ipv6`],
      ['ip', 'addr', 'add', `${ip}/64`, 'dev', `${tag}p`, 'nodad'],
      ['ip', 'link', 'set', `${tag}p`, 'up'],
      ['ip', 'link', 'set', 'lo', 'up'],
    ]) {
      const r = run(args);
      if (r.code !== 0) throw new Error(`outside: ${args.join(' ')} failed: ${r.stdout}`);
    }
    const server = spawn('nsenter', [`--net=${ns}`, process.execPath, '-e', SERVER, ip], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(server);
    await new Promise<void>((resolve, reject) => {
      server.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      server.on('exit', (code) => reject(new Error(`outside server exited with ${code}`)));
    });
    return { hostIp, ip, httpPort: 8000, run, dispose };
  } catch (e) {
    dispose();
    throw e;
  }
}
