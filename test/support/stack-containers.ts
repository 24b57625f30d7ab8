// A running stack's containers as tests see them: the rows of `stack ps --format json`,
// and commands run inside one container through nsenter (its namespaces and its root),
// which costs no CLI start per command.

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot, stack, type StackEnv } from './stack-cli.js';
import { psJson } from './ps-json.js';

export interface PsRow {
  service: string;
  name: string;
  /** The name its record, log and cgroup go by (a replacement's own while it replaces). */
  instance: string;
  state: string;
  pid: number;
  health?: string;
  addresses: { network: string; ip: string }[];
  ports: string[];
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** `stack -f FILE ps --format json`; throws the CLI's stderr when it fails. */
export function ps(env: StackEnv, file: string): PsRow[] {
  const r = stack(env, ['-f', file, 'ps', '-a', '--format', 'json']);
  if (r.code !== 0) throw new Error(r.stderr);
  return psJson(r.stdout) as PsRow[];
}

/** Runs a command inside the container whose init is `pid`; stdout holds stderr too. */
export function inside(pid: number, cmd: string[], timeoutMs = 10_000): { code: number; stdout: string } {
  const r = spawnSync('nsenter', ['-t', String(pid), '-m', '-u', '-i', '-n', '-p', '-r', '-w', ...cmd], {
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  return { code: r.status ?? -1, stdout: (r.stdout ?? '') + (r.stderr ?? '') };
}

/** The IPv4 addresses `nslookup NAME` answers inside the container (none for an unknown name). */
export function lookup(pid: number, name: string): string[] {
  const out = inside(pid, ['nslookup', name]).stdout;
  // busybox nslookup prints the server first, then the answers.
  return [
    ...out
      .split(/Name:/)
      .slice(1)
      .join('')
      .matchAll(/Address(?: \d+)?:\s*(\d+\.\d+\.\d+\.\d+)/g),
  ].map((m) => m[1]!);
}

/**
 * The IPv4 addresses a DNS query for NAME over TCP to 127.0.0.11:53 answers, asked from the
 * network namespace of the container whose init is `pid` (busybox nslookup asks over UDP
 * only): this test's own Node, run there by nsenter with the host's files.
 */
export function tcpLookupAtFixedResolver(pid: number, name: string): string[] {
  const script = `
    const net = require('node:net');
    const packet = require(${JSON.stringify(path.join(repoRoot, 'node_modules/dns-packet'))});
    const conn = net.connect(53, '127.0.0.11', () => conn.write(packet.streamEncode({ type: 'query', id: 7, flags: packet.RECURSION_DESIRED, questions: [{ type: 'A', name: ${JSON.stringify(name)} }] })));
    let buf = Buffer.alloc(0);
    conn.setTimeout(3000, () => process.exit(3));
    conn.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 2 || buf.length < 2 + buf.readUInt16BE(0)) return;
      console.log(JSON.stringify(packet.streamDecode(buf).answers.map((a) => a.data)));
      conn.end();
    });`;
  const r = spawnSync('nsenter', ['-t', String(pid), '-n', process.execPath, '-e', script], {
    encoding: 'utf8',
    timeout: 10_000,
  });
  if (r.status !== 0) throw new Error(`no answer over TCP from 127.0.0.11 (exit ${r.status}): ${r.stderr}`);
  return JSON.parse(r.stdout) as string[];
}
